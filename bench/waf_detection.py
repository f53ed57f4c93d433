#!/usr/bin/env python3
"""Detection quality side by side: the payload corpus (attacks and benign look-alikes per
category), each payload sent as a GET query argument and as a POST form body, through

  - Palisade's WAF engine with AWSManagedRulesCommonRuleSet + SQLiRuleSet + KnownBadInputsRuleSet
    (and, second row, with every payload-inspecting managed group), via
    `cargo run -p waf --example corpus`, and
  - nginx + ModSecurity v3 + OWASP CRS (Debian's libnginx-mod-http-modsecurity and
    modsecurity-crs, installed with apt if missing; paranoia level 1, anomaly threshold 5),
    replayed over HTTP against a local nginx started for the run.

  bench/waf_detection.py [--corpus /work/shared/corpora/waf/mgm-sp] [--skip-modsecurity] [--skip-palisade]

Prints Markdown tables; bench/waf-detection.md records a run.
"""
import argparse, http.client, os, shutil, signal, socket, subprocess, tempfile, time, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADERS = {"Host": "shop.example.com", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Accept": "*/*"}


def palisade(corpus, all_groups):
    argv = ["cargo", "run", "-q", "-p", "waf", "--example", "corpus", "--", corpus] + (["--all"] if all_groups else [])
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True).stdout


def install_modsecurity():
    if os.path.exists("/usr/share/modsecurity-crs") and os.path.exists("/usr/lib/nginx/modules/ngx_http_modsecurity_module.so"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light", "libnginx-mod-http-modsecurity", "modsecurity-crs"], check=True, env=env)
    # The package starts the system nginx on port 80; this run uses its own instance.
    if os.path.exists("/run/nginx.pid"):
        subprocess.run(["nginx", "-s", "quit"], check=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(workdir, port, upstream_port=None, workers=1):
    """nginx + ModSecurity + CRS on `port`: a static page, or a proxy to `upstream_port`."""
    os.makedirs(f"{workdir}/www/search", exist_ok=True)
    with open(f"{workdir}/www/search/index.html", "w") as f:
        f.write("ok\n")
    # Debian's recommended ModSecurity settings, with the engine blocking instead of only logging.
    with open("/etc/nginx/modsecurity.conf") as f:
        base = f.read().replace("SecRuleEngine DetectionOnly", "SecRuleEngine On").replace("SecUnicodeMapFile unicode.mapping", "SecUnicodeMapFile /etc/nginx/unicode.mapping")
    with open(f"{workdir}/modsecurity.conf", "w") as f:
        f.write(base)
        f.write("\nSecAuditEngine Off\nInclude /etc/modsecurity/crs/crs-setup.conf\nInclude /usr/share/modsecurity-crs/rules/*.conf\n")
    if upstream_port:
        location = f"location / {{ proxy_pass http://127.0.0.1:{upstream_port}; proxy_http_version 1.1; proxy_set_header Connection \"\"; }}"
    else:
        # A static page answers GET; POST gets 405 from nginx after ModSecurity has judged it.
        location = "location / { index index.html; }"
    with open(f"{workdir}/nginx.conf", "w") as f:
        f.write(f"""
load_module /usr/lib/nginx/modules/ngx_http_modsecurity_module.so;
worker_processes {workers};
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        modsecurity on;
        modsecurity_rules_file {workdir}/modsecurity.conf;
        root {workdir}/www;
        {location}
    }}
}}
""")
    process = subprocess.Popen(["nginx", "-p", workdir, "-c", f"{workdir}/nginx.conf", "-g", "daemon off;"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("nginx did not start; see " + f"{workdir}/error.log")


def replay(corpus, port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    rows = []
    for category in sorted(os.listdir(corpus)):
        if not os.path.isdir(os.path.join(corpus, category)):
            continue
        row = [category]
        for name in ("true-positives.txt", "false-positives.txt"):
            sent = blocked = 0
            path = os.path.join(corpus, category, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    payloads = [line.rstrip(b"\r\n") for line in f if line.strip()]
                for payload in payloads:
                    encoded = "q=" + urllib.parse.quote(payload, safe="-_.~")
                    for method, target, body, extra in (("GET", "/search/?" + encoded, None, {}), ("POST", "/search/", encoded, {"Content-Type": "application/x-www-form-urlencoded"})):
                        try:
                            connection.request(method, target, body=body, headers={**HEADERS, **extra})
                            response = connection.getresponse()
                            response.read()
                            status = response.status
                        except (http.client.HTTPException, OSError):
                            connection.close()
                            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                            status = 400
                        sent += 1
                        # 400: nginx refused the request line itself (a raw control character).
                        blocked += status in (400, 403)
            row.append((blocked, sent))
        rows.append(row)
    return rows


def table(rows):
    def rate(pair):
        blocked, sent = pair
        return f"{blocked}/{sent} ({100.0 * blocked / sent:.1f}%)" if sent else "—"
    lines = ["| category | attacks blocked (TPR) | benign blocked (FPR) |", "|---|---:|---:|"]
    totals = [[0, 0], [0, 0]]
    for category, attacks, benign in rows:
        lines.append(f"| {category} | {rate(attacks)} | {rate(benign)} |")
        for total, pair in zip(totals, (attacks, benign)):
            total[0] += pair[0]
            total[1] += pair[1]
    lines.append(f"| **all** | {rate(totals[0])} | {rate(totals[1])} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="/work/shared/corpora/waf/mgm-sp")
    parser.add_argument("--skip-modsecurity", action="store_true")
    parser.add_argument("--skip-palisade", action="store_true")
    args = parser.parse_args()
    if not args.skip_palisade:
        print("## Palisade, Common + SQLi + KnownBadInputs\n")
        print(palisade(args.corpus, False))
        print("## Palisade, every payload-inspecting managed group\n")
        print(palisade(args.corpus, True))
    if args.skip_modsecurity:
        return
    install_modsecurity()
    workdir = tempfile.mkdtemp(prefix="modsec-bench-")
    # nginx's workers run as nobody and must read the page.
    os.chmod(workdir, 0o755)
    port = free_port()
    nginx = start_nginx(workdir, port)
    try:
        started = time.time()
        rows = replay(args.corpus, port)
        print(f"## nginx + ModSecurity + OWASP CRS (paranoia level 1), {time.time() - started:.0f} s\n")
        print(table(rows))
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
