// Image references as containerd and docker spell them: parsing and normalisation of names like
// `busybox`, `127.0.0.1:5000/x:tag` or `name@sha256:...` into their fully qualified form
// (`docker.io/library/busybox:latest`). Pure: no I/O.
#pragma once

#include <string>

#include "util/result.h"

namespace nodeagent::runtime::images {

struct ImageReference {
  std::string domain;  // "docker.io", "127.0.0.1:5000"
  std::string path;    // "library/busybox"
  std::string tag;     // "latest"; may be empty when a digest is given
  std::string digest;  // "sha256:<64 hex>" or empty

  // "docker.io/library/busybox"
  std::string repository() const { return domain + "/" + path; }
  // Fully qualified: "docker.io/library/busybox:latest", "x/y@sha256:..", "x/y:t@sha256:..".
  std::string str() const;
  // What to ask the registry's manifest endpoint for: the digest if there is one, else the tag.
  std::string manifest_reference() const { return digest.empty() ? tag : digest; }
  // "repo:tag" when there is a tag, "" otherwise (for ImageInfo.repo_tags).
  std::string tagged() const { return tag.empty() ? "" : repository() + ":" + tag; }
};

// Parses and normalises `ref`: adds docker.io and library/ where docker would, and the tag
// "latest" when neither tag nor digest is given. kInvalid with the reason on malformed input.
Result<ImageReference> parse_reference(const std::string& ref);

// True for "sha256:<64 lowercase hex>" (the only algorithm the agent accepts).
bool is_valid_digest(const std::string& digest);

}  // namespace nodeagent::runtime::images
