#!/usr/bin/env python3
"""Palisade against moto_server, measured in the same run on the same machine.

For each server: time from process start to the first answered request, resident memory once
idle, and the throughput of one signed STS GetCallerIdentity replayed by wrk with 8 connections
(../shared/bench/signed_replay.py: both servers get byte-identical work). Palisade runs as
released: SigV4 verification and the CloudTrail audit of every call on.

  bench/run.py [--seconds 10] [--connections 8] [--out bench/results.md]

Needs: a release build (target/release/palisade), wrk, and moto[server] + boto3 importable by
the python running this script (bench/setup.sh prepares them).
"""
import argparse, base64, json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPLAY = os.path.join(ROOT, "..", "shared", "bench", "signed_replay.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answered(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=0.5) as r:
            return r.status < 500
    except urllib.error.HTTPError as e:
        return e.code < 500
    except OSError:
        return False


def start(argv, port, path):
    """Starts a server; returns the process and the milliseconds until it first answered."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = started + 60
    while not answered(port, path):
        if proc.poll() is not None or time.perf_counter() > deadline:
            raise SystemExit(f"{argv[0]} did not start")
        time.sleep(0.001)
    return proc, (time.perf_counter() - started) * 1000


def rss_mib(pid):
    """Resident memory of the process and its children (moto_server may fork)."""
    total = 0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    for p in pids:
        with open(f"/proc/{p}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def replay(port, seconds, connections, service="sts", operation="GetCallerIdentity", key=("test", "test"), params="{}"):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key[0], AWS_SECRET_ACCESS_KEY=key[1])
    out = subprocess.run([sys.executable, REPLAY, "--endpoint", f"http://127.0.0.1:{port}", "--service", service,
                          "--operation", operation, "--params", params, "--seconds", str(seconds),
                          "--connections", str(connections)], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit("signed_replay failed: " + out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def stop(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def measure(name, argv, port, path, seconds, connections):
    proc, ready_ms = start(argv, port, path)
    try:
        time.sleep(2)
        idle = rss_mib(proc.pid)
        replay(port, 2, connections)  # warm-up, not counted
        result = replay(port, seconds, connections)
        result.update(name=name, ready_ms=round(ready_ms, 1), idle_rss_mib=round(idle, 1),
                      loaded_rss_mib=round(rss_mib(proc.pid), 1))
        return result
    finally:
        stop(proc)


def user_key(port):
    """An IAM user allowed cloudtrail:DescribeTrails by an inline policy, and its access key."""
    iam = client("iam", port)
    iam.create_user(UserName="bench")
    iam.put_user_policy(UserName="bench", PolicyName="trails", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "cloudtrail:DescribeTrails", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="bench")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def authorization_cost(palisade, seconds, connections, rounds=3):
    """CloudTrail DescribeTrails signed by an IAM user, with the policy engine judging every call
    (`--iam enforce`) and without it (`--iam off`); both verify the signature and audit the call.
    The two servers run side by side and take `rounds` alternating turns (see `same_call`);
    each mode's rate is its median turn's."""
    running, data_dirs = {}, []
    try:
        for mode in ("off", "enforce"):
            data = tempfile.mkdtemp(prefix="palisade-bench-")
            data_dirs.append(data)
            port = free_port()
            proc, _ = start([palisade, "serve", "--port", str(port), "--data-dir", data, "--log-level", "warn",
                             "--iam", mode], port, "/_palisade/health")
            key = user_key(port)
            running[mode] = (proc, port, key)
            replay(port, 2, connections, "cloudtrail", "DescribeTrails", key)
        turns = {mode: [] for mode in running}
        for _ in range(rounds):
            for mode, (_, port, key) in running.items():
                result = replay(port, seconds, connections, "cloudtrail", "DescribeTrails", key)
                if result["non_2xx"]:
                    raise SystemExit(f"--iam {mode}: {result['non_2xx']} refused requests")
                turns[mode].append(result["requests_per_s"])
        return {mode: sorted(rates)[rounds // 2] for mode, rates in turns.items()}
    finally:
        for proc, _, _ in running.values():
            stop(proc)
        for data in data_dirs:
            shutil.rmtree(data, ignore_errors=True)


def same_call(palisade, moto, seconds, connections, setup, service, operation, rounds=3):
    """One signed call replayed on both servers. `setup(port)` prepares the server's state with
    boto3 and returns the call's parameters (a key id differs per server). Palisade verifies,
    authorizes and audits every call, and makes the internal KMS calls a service makes for it.

    Both servers run side by side and take turns, `rounds` times: a shared machine's speed
    drifts by more than a factor of two within minutes, and alternating makes the drift fall
    on both alike. Each server's figures are those of its median round; the ratio is the
    median of the rounds' ratios."""
    servers = (("palisade", lambda port, data: [palisade, "serve", "--port", str(port), "--data-dir", data,
                                                 "--log-level", "warn"], "/_palisade/health"),
               ("moto_server", lambda port, data: [moto, "-p", str(port)], "/moto-api/"))
    running, data_dirs = {}, []
    try:
        for name, argv, path in servers:
            data = tempfile.mkdtemp(prefix="palisade-bench-")
            data_dirs.append(data)
            port = free_port()
            proc, _ = start(argv(port, data), port, path)
            running[name] = (proc, port, json.dumps(setup(port)))
            replay(port, 2, connections, service, operation, params=running[name][2])
        turns = {name: [] for name in running}
        for _ in range(rounds):
            for name, (_, port, params) in running.items():
                result = replay(port, seconds, connections, service, operation, params=params)
                if result["non_2xx"]:
                    raise SystemExit(f"{name}: {result['non_2xx']} refused {operation} requests")
                turns[name].append(result)
        ratios = sorted(p["requests_per_s"] / m["requests_per_s"] for p, m in zip(turns["palisade"], turns["moto_server"]))
        results = {name: sorted(results, key=lambda r: r["requests_per_s"])[rounds // 2] for name, results in turns.items()}
        results["ratio"] = round(ratios[rounds // 2], 1)
        results["round_ratios"] = [round(r, 1) for r in ratios]
        return results
    finally:
        for proc, _, _ in running.values():
            stop(proc)
        for data in data_dirs:
            shutil.rmtree(data, ignore_errors=True)


def client(service, port):
    import boto3
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def secure_string_setup(port):
    client("ssm", port).put_parameter(Name="/bench/db-password", Type="SecureString", Value="S3cur3P@ss")
    return {"Name": "/bench/db-password", "WithDecryption": True}


def encrypt_setup(port):
    key = client("kms", port).create_key()["KeyMetadata"]["KeyId"]
    return {"KeyId": key, "Plaintext": base64.b64encode(os.urandom(4096)).decode()}


def data_key_setup(port):
    key = client("kms", port).create_key()["KeyMetadata"]["KeyId"]
    return {"KeyId": key, "KeySpec": "AES_256"}


def secret_setup(port):
    client("secretsmanager", port).create_secret(Name="bench/db", SecretString='{"username":"admin","password":"S3cur3P@ss"}')
    return {"SecretId": "bench/db"}


# What is compared with moto, call by call: (label, service, operation, setup, target ratio).
PAIRED_CALLS = [
    ("SSM GetParameter of a SecureString with decryption", "ssm", "GetParameter", secure_string_setup, 50),
    ("Secrets Manager GetSecretValue", "secretsmanager", "GetSecretValue", secret_setup, 50),
    ("KMS Encrypt of 4 KiB", "kms", "Encrypt", encrypt_setup, 50),
    ("KMS GenerateDataKey (AES_256)", "kms", "GenerateDataKey", data_key_setup, 50),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results.md"))
    ap.add_argument("--palisade", default=os.path.join(ROOT, "target", "release", "palisade"),
                    help="the binary to measure (a debug build checks the script, it measures nothing)")
    a = ap.parse_args()
    palisade = a.palisade
    moto = shutil.which("moto_server") or os.path.join(os.path.dirname(sys.executable), "moto_server")
    data = tempfile.mkdtemp(prefix="palisade-bench-")
    port = free_port()
    results = [measure("palisade", [palisade, "serve", "--port", str(port), "--data-dir", data, "--log-level", "warn"],
                       port, "/_palisade/health", a.seconds, a.connections)]
    shutil.rmtree(data, ignore_errors=True)
    port = free_port()
    results.append(measure("moto_server", [moto, "-p", str(port)], port, "/moto-api/", a.seconds, a.connections))
    p, m = results
    ratios = {
        "throughput_vs_moto": round(p["requests_per_s"] / m["requests_per_s"], 1),
        "ready_vs_moto": round(p["ready_ms"] / m["ready_ms"], 3),
        "idle_rss_vs_moto": round(p["idle_rss_mib"] / m["idle_rss_mib"], 3),
    }
    lines = [
        f"# Benchmark: Palisade vs moto_server ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, same run)",
        "",
        f"Signed STS GetCallerIdentity replayed by wrk, {a.connections} connections, {a.seconds} s; Palisade with SigV4",
        "verification and CloudTrail audit on, embedded SQLite storage.",
        "",
        "| server | ready (ms) | idle RSS (MiB) | req/s | p50 (ms) | p99 (ms) | non-2xx | RSS under load (MiB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['name']} | {r['ready_ms']} | {r['idle_rss_mib']} | {r['requests_per_s']} | {r['p50_ms']} | "
                     f"{r['p99_ms']} | {r['non_2xx']} | {r['loaded_rss_mib']} |")
    lines += ["", f"Palisade/moto: throughput {ratios['throughput_vs_moto']}x, time to ready "
              f"{ratios['ready_vs_moto']}x, idle RSS {ratios['idle_rss_vs_moto']}x.",
              "Targets: ready < 50 ms, idle RSS < 30 MiB, throughput >= 75x moto.", ""]
    rates = authorization_cost(palisade, a.seconds, a.connections)
    cost = 1 - rates["enforce"] / rates["off"]
    lines += [f"IAM user calling CloudTrail DescribeTrails: {rates['enforce']} req/s with every call authorized "
              f"by the policy engine, {rates['off']} req/s with `--iam off` ({cost:.1%} slower; target: within 20%).", ""]
    paired = {}
    lines += ["Each call below: both servers run side by side and take three alternating turns of "
              f"{a.seconds} s; each server's figures are its median turn's, and Palisade/moto is the median of "
              "the turns' ratios (each turn's in brackets).", "",
              "| call | Palisade req/s | p50 / p99 (ms) | moto req/s | p50 / p99 (ms) | Palisade/moto | target |",
              "|---|---|---|---|---|---|---|"]
    for label, service, operation, setup, target in PAIRED_CALLS:
        both = same_call(palisade, moto, a.seconds, a.connections, setup, service, operation)
        p_, m_ = both["palisade"], both["moto_server"]
        paired[label] = both
        lines.append(f"| {label} | {p_['requests_per_s']} | {p_['p50_ms']} / {p_['p99_ms']} | {m_['requests_per_s']} | "
                     f"{m_['p50_ms']} / {m_['p99_ms']} | {both['ratio']}x ({', '.join(f'{r}x' for r in both['round_ratios'])}) "
                     f"| >= {target}x |")
    lines.append("")
    with open(a.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))
    print(json.dumps({"results": results, "ratios": ratios, "authorization": rates, "paired": paired}))


if __name__ == "__main__":
    main()
