#!/usr/bin/env bash
# Installs the Debian packages stguard's build, tests, fuzzing and benchmarks
# need. Skips what is already installed; needs root (or sudo) only when
# something is missing.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config make          # build
  clang libclang-rt-14-dev llvm                  # asan/tsan/fuzz presets, llvm-cov
  rapidjson-dev libcli11-dev                     # JSON tokenizer, command-line parsing
  catch2                                         # tests
  afl++ libsimdjson-dev                          # fuzzing: second engine, differential decoder
  libssl-dev libutf8proc-dev libyaml-dev         # audit: SHA-256, Unicode NFC, YAML configs in metadata
  libbenchmark-dev hyperfine time                # benchmarks (time: GNU /usr/bin/time for peak RSS)
  valgrind python3-venv                          # bench/profile_header.sh (callgrind, massif); the
                                                 # Python reference's venv (bench/run.sh)
  python3-dev                                    # the Python package's extension (scripts/test-python.sh)
  libcurl4-openssl-dev nginx openssl             # remote validation (lib/src/remote) and its loopback
                                                 # test servers (tests/remote; openssl: their TLS certificate)
)

# The C API's Go and Rust tests (tests/go, tests/rust) use the machine's
# toolchains; Debian's only when none is installed (e.g. /usr/local/go, ~/.cargo).
if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then packages+=(golang-go); fi
if ! command -v cargo >/dev/null 2>&1 && [ ! -x "${HOME:-/root}/.cargo/bin/cargo" ]; then packages+=(cargo); fi

missing=()
for package in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
