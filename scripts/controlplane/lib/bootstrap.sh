# The objects kubeadm creates for TLS bootstrapping, so that a node agent can join with a
# bootstrap token like kubelet does. Sourced by cluster.sh; expects DIR and cp_kubectl.

BOOTSTRAP_GROUP=system:bootstrappers:nodeagent

# A token is "<6 chars>.<16 chars>" of [a-z0-9] (k8s.io/cluster-bootstrap/token/api).
# (Reads a fixed amount: `tr < /dev/urandom | head` dies of SIGPIPE, fatal under pipefail.)
random_token_part() {
  local s=""
  while ((${#s} < $1)); do s+=$(head -c 256 /dev/urandom | tr -dc 'a-z0-9'); done
  echo "${s:0:$1}"
}

bootstrap_make_token() {
  local id secret
  id=$(random_token_part 6)
  secret=$(random_token_part 16)
  echo "$id.$secret" > "$DIR/bootstrap-token"
  chmod 600 "$DIR/bootstrap-token"
}

bootstrap_apply_objects() {
  local token id secret
  token=$(cat "$DIR/bootstrap-token")
  id=${token%%.*}
  secret=${token#*.}
  local ca_data
  ca_data=$(base64 -w0 < "$PKI/ca.crt")
  cp_kubectl apply -f - <<EOF
# The token: authenticates as system:bootstrap:$id in groups system:bootstrappers and
# $BOOTSTRAP_GROUP; "signing" lets bootstrapsigner sign kube-public/cluster-info with it.
apiVersion: v1
kind: Secret
metadata:
  name: bootstrap-token-$id
  namespace: kube-system
type: bootstrap.kubernetes.io/token
stringData:
  description: nodeagent test cluster bootstrap token
  token-id: "$id"
  token-secret: "$secret"
  usage-bootstrap-authentication: "true"
  usage-bootstrap-signing: "true"
  auth-extra-groups: $BOOTSTRAP_GROUP
---
# Bootstrappers may create CSRs (kubeadm: kubeadm:kubelet-bootstrap).
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "nodeagent:kubelet-bootstrap"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:node-bootstrapper"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:bootstrappers"}]
---
# csrapproving approves a bootstrapper's node client CSR (kubeadm: kubeadm:node-autoapprove-bootstrap).
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "nodeagent:node-autoapprove-bootstrap"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:bootstrappers"}]
---
# ... and a node's renewal of its own client cert (kubeadm: kubeadm:node-autoapprove-certificate-rotation).
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "nodeagent:node-autoapprove-certificate-rotation"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:nodes"}]
---
# The API server's client identity towards kubelets (logs, exec, port-forward): the node
# agent's webhook authorizer asks the API server whether this user may do that.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "nodeagent:apiserver-kubelet-admin"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:kubelet-api-admin"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "$APISERVER_KUBELET_CLIENT_USER"}]
---
# Token discovery as kubeadm join does it: bootstrapsigner signs this with the token,
# anonymous clients may read it.
apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-info, namespace: kube-public}
data:
  kubeconfig: |
    apiVersion: v1
    kind: Config
    clusters:
    - name: ""
      cluster:
        server: $API_SERVER
        certificate-authority-data: $ca_data
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "nodeagent:bootstrap-signer-clusterinfo", namespace: kube-public}
rules: [{apiGroups: [""], resources: [configmaps], resourceNames: [cluster-info], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: "nodeagent:bootstrap-signer-clusterinfo", namespace: kube-public}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "nodeagent:bootstrap-signer-clusterinfo"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:anonymous"}]
EOF
}
