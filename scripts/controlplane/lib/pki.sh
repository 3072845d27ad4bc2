# Certificates and kubeconfigs for the test control plane, made with openssl.
# Sourced by cluster.sh; expects PKI (the pki dir) to be set.
#
# Leaf keys are ECDSA P-256 (fast to make, accepted everywhere); the CA and the
# service-account key are RSA 2048 like kubeadm's.

CERT_DAYS=365

pki_make_ca() { # [NAME]: ca (the cluster CA) by default
  local name=${1:-ca}
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$PKI/$name.key" -out "$PKI/$name.crt" -subj "/CN=nodeagent-test-$name" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,digitalSignature,keyCertSign,cRLSign" 2>/dev/null
}

# pki_sign OUT_PREFIX SUBJECT EXTENSIONS [CA]: a new key OUT_PREFIX.key and a cert
# OUT_PREFIX.crt signed by CA (default: the cluster CA). EXTENSIONS is an openssl extension
# file body.
pki_sign() {
  local out=$1 subj=$2 ext=$3 ca=${4:-ca}
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$out.key" -out "$out.csr" -subj "$subj" 2>/dev/null
  printf '%s\n' "$ext" > "$out.ext"
  openssl x509 -req -sha256 -days "$CERT_DAYS" -in "$out.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile "$out.ext" -out "$out.crt" 2>/dev/null
  rm -f "$out.csr" "$out.ext"
  chmod 600 "$out.key"
}

pki_client() { # OUT_PREFIX SUBJECT [CA]
  pki_sign "$1" "$2" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth" "${3:-ca}"
}

pki_apiserver_serving() { # OUT_PREFIX (SANs: the names pods and nodes use for the API server)
  pki_sign "$1" "/CN=kube-apiserver" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$CP_IP,IP:$SERVICE_IP"
}

pki_service_account_keys() {
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  chmod 600 "$PKI/sa.key"
}

# Every identity the control plane itself needs (see docs/CONTROLPLANE.md for why each).
pki_make_all() {
  mkdir -p "$PKI"
  pki_make_ca
  pki_apiserver_serving "$PKI/apiserver"
  pki_client "$PKI/admin" "/O=system:masters/CN=kubernetes-admin"
  pki_client "$PKI/controller-manager" "/CN=system:kube-controller-manager"
  pki_client "$PKI/scheduler" "/CN=system:kube-scheduler"
  pki_client "$PKI/kube-proxy" "/CN=system:kube-proxy"
  # Not in system:masters: cluster.sh binds it to system:kubelet-api-admin, as kubeadm does.
  pki_client "$PKI/apiserver-kubelet-client" "/CN=$APISERVER_KUBELET_CLIENT_USER"
  pki_service_account_keys
  # The aggregation layer's own CA and client (kubeadm's front-proxy-*): without it the
  # extension-apiserver-authentication ConfigMap lacks requestheader-client-ca-file and every
  # component logs an error about it.
  pki_make_ca front-proxy-ca
  pki_client "$PKI/front-proxy-client" "/CN=front-proxy-client" front-proxy-ca
}

# write_kubeconfig FILE SERVER CERT KEY: client-certificate auth, files referenced by path.
write_kubeconfig() {
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: nodeagent-test
  cluster:
    server: $2
    certificate-authority: $PKI/ca.crt
users:
- name: user
  user:
    client-certificate: $3
    client-key: $4
contexts:
- name: default
  context: {cluster: nodeagent-test, user: user}
current-context: default
EOF
  chmod 600 "$1"
}

# write_token_kubeconfig FILE SERVER TOKEN: bearer-token auth (the bootstrap kubeconfig).
write_token_kubeconfig() {
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: nodeagent-test
  cluster:
    server: $2
    certificate-authority: $PKI/ca.crt
users:
- name: bootstrap
  user:
    token: $3
contexts:
- name: default
  context: {cluster: nodeagent-test, user: bootstrap}
current-context: default
EOF
  chmod 600 "$1"
}
