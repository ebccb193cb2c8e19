#!/usr/bin/env bash
# Installs what `make test` needs on a fresh Debian machine: Chromium for the
# browser tests, ffmpeg for recordings and IP cameras, coturn's client tools
# to probe the embedded TURN server, iproute2 for the network namespaces of
# the UDP-blocked browser tests, and the npm
# packages of the compatibility and browser tests (upstream openvidu-*).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)
command -v turnutils_uclient >/dev/null 2>&1 || need_apt+=(coturn)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
if [ ${#need_apt[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
	echo "installing Debian packages: ${need_apt[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

for dir in sdk/browser test/compat test/e2e; do
	if [ -f "$dir/package-lock.json" ]; then
		# Reinstall only when the lock file changed since the last install.
		stamp="$dir/node_modules/.govidu-lock"
		if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
			echo "npm ci in $dir"
			npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
			cp "$dir/package-lock.json" "$stamp"
		fi
	fi
done

go mod download
