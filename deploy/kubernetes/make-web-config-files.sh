#!/bin/sh
# Makes the five files deploy/kubernetes/web-config/kustomization.yaml turns into Secrets (README
# "Kubernetes"): a self-signed certificate and key for the name the ServiceMonitor verifies, the scrape
# user and password, and web-config.yml naming them with the password's bcrypt hash. Needs openssl and
# htpasswd (Debian: apache2-utils). Refuses to overwrite: to renew, delete the five files and run again.
#   sh deploy/kubernetes/make-web-config-files.sh [folder]      (default: the web-config folder beside it)
# LSOF_EXPORTER_SCRAPE_USER (default prometheus) and LSOF_EXPORTER_SCRAPE_PASSWORD (default: 24 random
# bytes, base64) choose the credentials; LSOF_EXPORTER_TLS_DAYS the certificate's lifetime (default 365).
set -eu
dir=${1:-$(dirname "$0")/web-config}
user=${LSOF_EXPORTER_SCRAPE_USER:-prometheus}
days=${LSOF_EXPORTER_TLS_DAYS:-365}
server_name=lsof-exporter.lsof-exporter.svc # generate-web-config.mjs SERVER_NAME

die() { echo "make-web-config-files: $*" >&2; exit 1; }
case $user in '' | *[!A-Za-z0-9._-]*) die "LSOF_EXPORTER_SCRAPE_USER must be letters, digits, '.', '_' or '-'" ;; esac
cd "$dir" || die "no folder $dir"
for f in tls.crt tls.key web-config.yml username password; do
  [ ! -e "$f" ] || die "$dir/$f exists; delete the five files to make new ones"
done
command -v htpasswd >/dev/null || die "htpasswd not found (Debian/Ubuntu: apt-get install apache2-utils)"

umask 077
# (its stderr only on failure: it prints a line of dashes otherwise)
err=$(openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$days" \
  -subj "/CN=$server_name" -addext "subjectAltName=DNS:$server_name" -keyout tls.key -out tls.crt 2>&1) ||
  { rm -f tls.key tls.crt; die "openssl could not make the certificate: $err"; }
printf '%s' "$user" >username
if [ -n "${LSOF_EXPORTER_SCRAPE_PASSWORD:-}" ]; then
  printf '%s' "$LSOF_EXPORTER_SCRAPE_PASSWORD" >password
else
  openssl rand -base64 24 | tr -d '\n' >password
fi
# -i: the password from stdin, never on a command line; -B -C 10: bcrypt of cost 10
hash=$(htpasswd -niBC 10 "$user" <password | tr -d '\n' | cut -d: -f2-)
cat >web-config.yml <<YAML
# lsof-exporter --web.config.file (README "TLS and basic auth"); names relative to this file
tls_server_config:
  cert_file: tls.crt
  key_file: tls.key
basic_auth_users:
  $user: '$hash'
YAML
echo "wrote $dir/{tls.crt,tls.key,username,password,web-config.yml}; next: kubectl apply -k $dir"
