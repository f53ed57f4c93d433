#!/usr/bin/env python3
"""What a web ACL costs the data plane: the same request through a load balancer's listener
without a web ACL, and with AWSManagedRulesCommonRuleSet + SQLiRuleSet + KnownBadInputsRuleSet,
in one run on one machine. The target is a fixed-response listener of the same server, so the
upstream is never the bottleneck; the upstream measured alone is the limit.

  bench/waf.py [--binary target/release/palisade] [--seconds 10] [--connections 8] [--out bench/waf-results.md]
               [--skip-modsecurity]

The peer is nginx + ModSecurity v3 + OWASP CRS (paranoia level 1, one worker per core) proxying
to the same upstream, installed with apt when missing (see waf_detection.py).

Needs wrk, and boto3 importable by the python running this script (the .venv that
scripts/test installs has it).
"""
import argparse, os, re, shutil, signal, socket, subprocess, tempfile, time, urllib.request

import boto3

import waf_detection

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANAGED = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]
REQUEST_PATH = "/products?id=42&sort=price"
# KnownBadInputsRuleSet blocks a localhost Host header (Host_localhost_HEADER), as AWS does.
HEADERS = ["Host: shop.example.com", "User-Agent: Mozilla/5.0 (X11; Linux x86_64) bench", "Accept: text/html", "Cookie: session=abc123"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answered(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_palisade/health", timeout=0.5) as r:
            return r.status == 200
    except OSError:
        return False


def client(service, port):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def visibility(name):
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


def set_up(port):
    """Three listeners: the upstream (fixed response), a proxy to it, and a proxy with the web ACL."""
    ec2, elbv2, wafv2 = client("ec2", port), client("elbv2", port), client("wafv2", port)
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    ports = {}

    def load_balancer(name, action):
        arn = elbv2.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        ports[name] = free_port()
        elbv2.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=ports[name], DefaultActions=[action])
        return arn

    load_balancer("upstream", {"Type": "fixed-response", "FixedResponseConfig": {
        "StatusCode": "200", "ContentType": "text/plain", "MessageBody": "hello from upstream"}})
    group = elbv2.create_target_group(Name="upstream", Protocol="HTTP", Port=ports["upstream"], VpcId=vpc,
                                      TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": "127.0.0.1"}])
    forward = {"Type": "forward", "TargetGroupArn": group}
    load_balancer("plain", forward)
    protected = load_balancer("protected", forward)
    rules = [{"Name": name, "Priority": i, "OverrideAction": {"None": {}},
              "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}},
              "VisibilityConfig": visibility(name)} for i, name in enumerate(MANAGED)]
    acl = wafv2.create_web_acl(Name="bench", Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=rules,
                               VisibilityConfig=visibility("bench"))["Summary"]["ARN"]
    wafv2.associate_web_acl(WebACLArn=acl, ResourceArn=protected)
    return ports


def wrk(port, seconds, connections):
    argv = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for header in HEADERS:
        argv += ["-H", header]
    out = subprocess.run(argv + [f"http://127.0.0.1:{port}{REQUEST_PATH}"], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: to_us(re.search(rf"\s{p}%\s+([\d.]+\w+)", out).group(1)) for p in ("50", "99")}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rate, "p50_us": latency["50"], "p99_us": latency["99"], "non_2xx": int(non_2xx.group(1)) if non_2xx else 0}


def to_us(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 1, "ms": 1000, "s": 1_000_000}[unit]


def modsecurity(upstream_port, seconds, connections):
    """The same request through nginx + ModSecurity + CRS proxying to the same upstream."""
    waf_detection.install_modsecurity()
    workdir = tempfile.mkdtemp(prefix="modsec-throughput-")
    os.chmod(workdir, 0o755)
    port = free_port()
    nginx = waf_detection.start_nginx(workdir, port, upstream_port=upstream_port, workers=os.cpu_count())
    try:
        wrk(port, 2, connections)  # warm-up, not counted
        return wrk(port, seconds, connections)
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/palisade"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--out")
    parser.add_argument("--skip-modsecurity", action="store_true")
    args = parser.parse_args()
    port = free_port()
    data = tempfile.mkdtemp(prefix="palisade-waf-bench-")
    proc = subprocess.Popen([args.binary, "serve", "--port", str(port), "--data-dir", data, "--log-level", "warn"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while not answered(port):
            time.sleep(0.01)
        ports = set_up(port)
        results = {}
        for name in ("upstream", "plain", "protected"):
            wrk(ports[name], 2, args.connections)  # warm-up, not counted
            results[name] = wrk(ports[name], args.seconds, args.connections)
        if not args.skip_modsecurity:
            results["modsecurity"] = modsecurity(ports["upstream"], args.seconds, args.connections)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    plain, protected = results["plain"], results["protected"]
    lines = [
        f"WAF data plane, {args.connections} connections, {args.seconds} s each, GET {REQUEST_PATH} ({os.path.basename(args.binary)} build: {args.binary})",
        "",
        "| path | req/s | p50 | p99 | non-2xx |",
        "|---|---|---|---|---|",
    ]
    labels = {"upstream": "upstream alone (the limit)", "plain": "listener → upstream, no web ACL",
              "protected": "listener → upstream, Common + SQLi + KnownBadInputs",
              "modsecurity": "nginx + ModSecurity + CRS → upstream"}
    for name, r in results.items():
        lines.append(f"| {labels[name]} | {r['rps']:.0f} | {r['p50_us']:.0f} µs | {r['p99_us']:.0f} µs | {r['non_2xx']} |")
    lines += ["", f"web ACL: {protected['rps'] / plain['rps'] * 100:.1f}% of the plain proxy's throughput, "
                  f"p50 added {protected['p50_us'] - plain['p50_us']:.0f} µs, p99 added {protected['p99_us'] - plain['p99_us']:.0f} µs"]
    if "modsecurity" in results:
        lines.append(f"Palisade's protected listener vs nginx + ModSecurity + CRS: {protected['rps'] / results['modsecurity']['rps']:.1f}x "
                     f"the throughput (target >= 5x)")
    report = "\n".join(lines)
    print(report)
    if args.out:
        with open(args.out, "a") as f:
            f.write(report + "\n\n")


if __name__ == "__main__":
    main()
