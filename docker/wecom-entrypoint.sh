#!/bin/sh
# Starts the WeCom receiver. Secrets may come as files, one per setting, named after the receiver's
# flag (compose secrets and Kubernetes secret volumes mount them so; docs/deploy.md): each file
# <secrets dir>/wecom-token becomes UPBOT_WECOM_TOKEN, and so on, unless that variable is already
# set. Files keep them out of `docker inspect` and of the command line; the receiver never logs them.
set -eu
dir="${UPBOT_SECRETS_DIR:-/run/secrets}"
if [ -d "$dir" ]; then
  for file in "$dir"/*; do
    [ -f "$file" ] || continue
    name=$(basename "$file")
    case "$name" in
      *[!a-z0-9-]*) continue ;;  # not a flag's name (e.g. Kubernetes' ..data links)
    esac
    var="UPBOT_$(printf '%s' "$name" | tr 'a-z-' 'A-Z_')"
    if [ -z "$(printenv "$var" || true)" ]; then
      # $(...) drops the file's trailing newlines, as an editor leaves one.
      value=$(cat "$file")
      export "$var=$value"
    fi
  done
fi
exec java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar /opt/upbot/upbot-wecom.jar "$@"
