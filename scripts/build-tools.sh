#!/usr/bin/env bash
# Builds the install suite's Kubernetes components (etcd, kube-apiserver, kube-controller-manager)
# from the versions tools/go.mod pins, into .tmp/tools/<hash of tools/go.mod and go.sum>/.
# A folder that already holds all three binaries for the pinned versions is reused as is; the Go
# build cache makes a rebuild after a clean checkout a link step. Prints the folder's path last.
set -euo pipefail
cd "$(dirname "$0")/.."

pins_hash="$(cat tools/go.mod tools/go.sum | sha256sum | cut -c1-16)"
out=".tmp/tools/${pins_hash}"
binaries=(etcd kube-apiserver kube-controller-manager)

have_all=true
for binary in "${binaries[@]}"; do
  [[ -x "${out}/${binary}" ]] || have_all=false
done

if [[ "${have_all}" != true ]]; then
  mkdir -p "${out}.partial"
  # -p 2: the machines have two cores; more parallel compiles only add memory pressure.
  (cd tools && go build -p 2 -o "../${out}.partial/" tool)
  # The etcd tool line names its module's main package, which go build names "server".
  mv "${out}.partial/server" "${out}.partial/etcd"
  rm -rf "${out}"
  mv "${out}.partial" "${out}"
fi
echo "$(pwd)/${out}"
