#!/usr/bin/python3
"""Bad input against a real server: each gets the right 4xx (a Status) or is
closed, nothing is stored, and the server keeps serving others."""
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

MINIKUBE = os.environ["MINIKUBE"]
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok  ", name)
    else:
        failed += 1
        print("FAIL", name, detail)


class Server:
    def __init__(self, tmp):
        self.out = open(os.path.join(tmp, "server.out"), "w+")
        self.proc = subprocess.Popen([MINIKUBE, "server", "--data-dir", os.path.join(tmp, "data"),
                                      "--bind-address", "127.0.0.1", "--port", "0", "--disable-agent"],
                                     stdout=self.out, stderr=subprocess.DEVNULL)
        for _ in range(200):
            self.out.seek(0)
            m = re.search(r"listening on port (\d+)", self.out.read())
            tok = os.path.join(tmp, "data", "tls", "admin-token")
            if m and os.path.exists(tok):
                self.port = int(m.group(1))
                self.token = open(tok).read().strip()
                break
            time.sleep(0.05)
        self.ctx = ssl.create_default_context(cafile=os.path.join(tmp, "data", "tls", "ca.crt"))
        self.ctx.check_hostname = False

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return self.ctx.wrap_socket(s)

    def raw(self, data, read=True):
        s = self.connect()
        s.sendall(data)
        out = b""
        if read:
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    out += chunk
                    if b"\r\n\r\n" in out:
                        head, _, body = out.partition(b"\r\n\r\n")
                        m = re.search(rb"content-length: *(\d+)", head, re.I)
                        if m and len(body) >= int(m.group(1)):
                            break
            except (socket.timeout, ConnectionResetError, ssl.SSLError):
                pass
        s.close()
        return out

    def request(self, method, path, body=b"", ctype="application/json", auth=True):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=30)
        headers = {"Content-Type": ctype}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except (ConnectionError, http.client.HTTPException, ssl.SSLError) as e:
            return 0, str(e)
        finally:
            conn.close()
        try:
            return resp.status, json.loads(data) if data else None
        except ValueError:
            return resp.status, data


def cm(name, extra=""):
    return ('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s"}%s}' % (name, extra)).encode()


def count_cms(srv):
    st, body = srv.request("GET", "/api/v1/namespaces/default/configmaps")
    return len(body["items"]) if st == 200 else -1


def main():
    tmp = tempfile.mkdtemp(prefix="minikube-bad-")
    srv = Server(tmp)
    try:
        base = count_cms(srv)
        cms = "/api/v1/namespaces/default/configmaps"

        st, body = srv.request("GET", "/api/v1/namespaces", auth=False)
        check("no credentials: 401 Status", st == 401 and body.get("reason") == "Unauthorized", (st, body))
        st, body = srv.request("GET", "/api/v1/namespaces", auth=False)
        st2, _ = srv.request("GET", "/api/v1/namespaces", b"", auth=True)
        check("a bearer token the server issued works", st2 == 200)

        big = cm("big", ',"data":{"x":"%s"}' % ("a" * (3 * 1024 * 1024 + 10)))
        st, body = srv.request("POST", cms, big)
        check("body over 3 MiB: 413 RequestEntityTooLarge", st == 413 and body and body.get("reason") == "RequestEntityTooLarge", st)

        deep = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":' + b"[" * 5000 + b"]" * 5000 + b"}"
        st, body = srv.request("POST", cms, deep)
        check("JSON nested too deep: 400 BadRequest", st == 400 and body.get("reason") == "BadRequest", (st, body))

        st, body = srv.request("POST", cms, b'{"apiVersion":"v1","kind":"ConfigMap",')
        check("malformed JSON: 400 BadRequest", st == 400 and body.get("reason") == "BadRequest", (st, body))

        st, body = srv.request("POST", cms, b"apiVersion: v1\nkind: ConfigMap\nmetadata: [\n", "application/yaml")
        check("malformed YAML: 400 BadRequest", st == 400 and body.get("reason") == "BadRequest", (st, body))

        st, body = srv.request("POST", cms, b'{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}')
        check("kind/apiVersion not matching the URL: 400", st == 400 and "does not match" in body.get("message", ""), (st, body))

        st, body = srv.request("POST", cms, cm("a" * 254))
        check("name over 253 characters: 422 Invalid", st == 422 and body.get("reason") == "Invalid", (st, body))

        st, body = srv.request("POST", cms, cm("Bad_Name"))
        check("invalid name: 422 with causes", st == 422 and body["details"]["causes"][0]["field"] == "metadata.name", body)

        st, body = srv.request("GET", "/api/v1/namespaces/default/widgets")
        check("unknown resource: 404 NotFound", st == 404 and body.get("reason") == "NotFound", (st, body))

        st, body = srv.request("POST", cms, b"\x00\x01\x02garbage", "application/vnd.kubernetes.protobuf")
        check("garbage protobuf: 400", st == 400, (st, body))

        st, body = srv.request("POST", cms, cm("x"), "text/html")
        check("unsupported media type: 415", st == 415 and body.get("reason") == "UnsupportedMediaType", (st, body))

        st, body = srv.request("PATCH", cms + "/nope", b"{}", "application/merge-patch+json")
        check("patch of a missing object: 404", st == 404, st)

        resp = srv.raw(b"GARBAGE / HTTP/9.9\r\n\r\n")
        check("garbage request line: 400 or closed", resp == b"" or resp.startswith(b"HTTP/1.1 400"), resp[:40])

        check("nothing was stored by any of the above", count_cms(srv) == base, count_cms(srv))

        # Slow and idle connections are closed without hurting others.
        slow = srv.connect()
        slow.sendall(b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n")  # never finishes
        idle = [srv.connect() for _ in range(50)]
        st, _ = srv.request("GET", "/api/v1/namespaces")
        check("serves others while slow and idle clients hang", st == 200)

        # Many concurrent connections.
        conns = []
        try:
            for _ in range(1500):
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
                conns.append(s)
        except OSError as e:
            print("     (opened %d connections: %s)" % (len(conns), e))
        st, _ = srv.request("GET", "/api/v1/namespaces")
        check("1500 concurrent raw connections: still serving", st == 200 and len(conns) >= 1000, (st, len(conns)))
        for s in conns + idle:
            s.close()
        slow.close()
        check("the process is still alive", srv.proc.poll() is None)
    finally:
        srv.proc.kill()
        srv.proc.wait()
        subprocess.run(["rm", "-rf", tmp])
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
