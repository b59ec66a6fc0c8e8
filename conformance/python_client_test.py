#!/usr/bin/python3
"""Debian's python3-kubernetes client against a real server: create, list with
a label selector, watch from a resourceVersion, patch, delete."""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

from kubernetes import client, config, watch

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


def start_server(tmp):
    out = open(os.path.join(tmp, "server.out"), "w+")
    proc = subprocess.Popen([MINIKUBE, "server", "--data-dir", os.path.join(tmp, "data"),
                             "--bind-address", "127.0.0.1", "--port", "0", "--disable-agent"],
                            stdout=out, stderr=subprocess.DEVNULL)
    for _ in range(200):
        out.seek(0)
        m = re.search(r"listening on port (\d+)", out.read())
        if m and os.path.exists(os.path.join(tmp, "data", "kubeconfig.yaml")):
            return proc
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def main():
    tmp = tempfile.mkdtemp(prefix="minikube-py-")
    proc = start_server(tmp)
    try:
        config.load_kube_config(os.path.join(tmp, "data", "kubeconfig.yaml"))
        v1 = client.CoreV1Api()
        apps = client.AppsV1Api()

        for i in range(3):
            v1.create_namespaced_config_map("default", client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name=f"py-{i}", labels={"app": "py", "n": str(i)}),
                data={"k": str(i)}))
        check("create", v1.read_namespaced_config_map("py-1", "default").data == {"k": "1"})

        lst = v1.list_namespaced_config_map("default", label_selector="app=py,n!=1")
        names = sorted(cm.metadata.name for cm in lst.items)
        check("list with label selector", names == ["py-0", "py-2"], names)
        rv = lst.metadata.resource_version

        events = []

        def watcher():
            w = watch.Watch()
            for ev in w.stream(v1.list_namespaced_config_map, "default", resource_version=rv,
                               label_selector="app=py", timeout_seconds=5):
                events.append((ev["type"], ev["object"].metadata.name))
                if len(events) >= 3:
                    w.stop()

        t = threading.Thread(target=watcher)
        t.start()
        time.sleep(0.5)
        v1.patch_namespaced_config_map("py-0", "default", {"data": {"k": "patched"}})
        v1.create_namespaced_config_map("default", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="py-3", labels={"app": "py"})))
        v1.delete_namespaced_config_map("py-2", "default")
        t.join(10)
        check("watch from resourceVersion sees only later events, in order",
              events == [("MODIFIED", "py-0"), ("ADDED", "py-3"), ("DELETED", "py-2")], events)

        check("patch", v1.read_namespaced_config_map("py-0", "default").data == {"k": "patched"})

        dep = client.V1Deployment(
            metadata=client.V1ObjectMeta(name="pyweb"),
            spec=client.V1DeploymentSpec(
                replicas=1, selector=client.V1LabelSelector(match_labels={"app": "pyweb"}),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(labels={"app": "pyweb"}),
                    spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox")]))))
        apps.create_namespaced_deployment("default", dep)
        apps.patch_namespaced_deployment_scale("pyweb", "default", {"spec": {"replicas": 3}})
        check("scale subresource", apps.read_namespaced_deployment("pyweb", "default").spec.replicas == 3)

        v1.delete_namespaced_config_map("py-0", "default")
        try:
            v1.read_namespaced_config_map("py-0", "default")
            check("delete", False)
        except client.exceptions.ApiException as e:
            check("delete", e.status == 404 and "NotFound" in e.body, e.status)

        try:
            v1.create_namespaced_config_map("default", client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name="py-1")))
            check("AlreadyExists is a 409", False)
        except client.exceptions.ApiException as e:
            check("AlreadyExists is a 409", e.status == 409 and "AlreadyExists" in e.body)
    finally:
        proc.kill()
        proc.wait()
        subprocess.run(["rm", "-rf", tmp])
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
