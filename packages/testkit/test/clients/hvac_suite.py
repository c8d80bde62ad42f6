"""hvac (Debian python3-hvac, /usr/bin/python3) against VAULT_ADDR (floe-sandbox's Vault).

Prints one JSON line per operation: {"service", "op", "ok", "error"?}. hvac sends the HTTP
LIST verb for every list call. Seed (from the test): approle etl/role-etl/secret-etl with
policy floe-read, database role mongo-readonly.
"""
import json
import os

import hvac

results = []


def check(service, op):
    def wrap(fn):
        try:
            fn()
            results.append({"service": service, "op": op, "ok": True})
        except Exception as e:
            results.append({"service": service, "op": op, "ok": False, "error": f"{type(e).__name__}: {e}"})
        return fn

    return wrap


client = hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"])
kv2 = client.secrets.kv.v2
state = {}


@check("sys", "health")
def _():
    assert client.sys.read_health_status(method="GET")["initialized"] is True


@check("kv2", "create_or_update_secret")
def _():
    kv2.create_or_update_secret(path="production/kafka", secret={"username": "u", "password": "p1"})
    out = kv2.create_or_update_secret(path="production/kafka", secret={"username": "u", "password": "p2"})
    assert out["data"]["version"] == 2
    kv2.create_or_update_secret(path="production/db/main", secret={"password": "x"})


@check("kv2", "read_secret_version")
def _():
    assert kv2.read_secret_version(path="production/kafka")["data"]["data"]["password"] == "p2"
    assert kv2.read_secret_version(path="production/kafka", version=1)["data"]["data"]["password"] == "p1"
    try:
        kv2.read_secret_version(path="production/nope")
        raise AssertionError("no InvalidPath")
    except hvac.exceptions.InvalidPath:
        pass


@check("kv2", "list_secrets (LIST verb)")
def _():
    keys = kv2.list_secrets(path="production")["data"]["keys"]
    assert sorted(keys) == ["db/", "kafka"], keys


@check("kv2", "read_secret_metadata")
def _():
    meta = kv2.read_secret_metadata(path="production/kafka")["data"]
    assert meta["current_version"] == 2 and sorted(meta["versions"]) == ["1", "2"]


@check("kv2", "patch")
def _():
    kv2.patch(path="production/kafka", secret={"password": "p3"})
    data = kv2.read_secret_version(path="production/kafka")["data"]["data"]
    assert data == {"username": "u", "password": "p3"}, data


@check("kv2", "delete_latest_version_of_secret")
def _():
    kv2.delete_latest_version_of_secret(path="production/db/main")
    try:
        kv2.read_secret_version(path="production/db/main")
        raise AssertionError("deleted version still readable")
    except hvac.exceptions.InvalidPath:
        pass


@check("sys", "policies (create_or_update/read/list/delete)")
def _():
    rules = 'path "secret/data/production/*" {\n  capabilities = ["read"]\n}'
    client.sys.create_or_update_policy(name="floe-test", policy=rules)
    assert client.sys.read_policy(name="floe-test")["data"]["rules"] == rules
    listed = client.sys.list_policies()["data"]["policies"]
    assert "floe-test" in listed and "root" in listed, listed
    client.sys.delete_policy(name="floe-test")
    assert "floe-test" not in client.sys.list_policies()["data"]["policies"]


@check("sys", "list_mounted_secrets_engines")
def _():
    mounts = client.sys.list_mounted_secrets_engines()["data"]
    assert mounts["secret/"]["type"] == "kv" and mounts["secret/"]["options"]["version"] == "2", mounts


@check("sys", "enable_secrets_engine")
def _():
    client.sys.enable_secrets_engine(backend_type="kv", path="team-kv", options={"version": "2"})
    assert client.sys.list_mounted_secrets_engines()["data"]["team-kv/"]["options"]["version"] == "2"
    kv2.create_or_update_secret(path="x", secret={"a": "b"}, mount_point="team-kv")
    assert kv2.read_secret_version(path="x", mount_point="team-kv")["data"]["data"] == {"a": "b"}


@check("auth", "approle.login")
def _():
    other = hvac.Client(url=os.environ["VAULT_ADDR"])
    out = other.auth.approle.login(role_id="role-etl", secret_id="secret-etl")
    assert "floe-read" in out["auth"]["policies"]
    assert other.is_authenticated()
    state["approle"] = other


@check("auth", "token.lookup_self / renew_self")
def _():
    other = state["approle"]
    assert other.auth.token.lookup_self()["data"]["display_name"] == "approle"
    assert other.auth.token.renew_self()["auth"]["renewable"] is True


@check("auth", "policy enforcement (403)")
def _():
    other = state["approle"]
    assert other.secrets.kv.v2.read_secret_version(path="production/kafka")["data"]["data"]["password"] == "p3"
    try:
        other.secrets.kv.v2.create_or_update_secret(path="production/kafka", secret={"x": "y"})
        raise AssertionError("write allowed")
    except hvac.exceptions.Forbidden:
        pass


@check("database", "generate_credentials")
def _():
    out = client.secrets.database.generate_credentials(name="mongo-readonly")
    assert out["data"]["username"] and out["lease_id"].startswith("database/creds/mongo-readonly/")
    state["lease"] = out["lease_id"]


@check("sys", "leases (renew/read/revoke)")
def _():
    lease = state["lease"]
    client.sys.renew_lease(lease_id=lease, increment=600)
    info = client.sys.read_lease(lease_id=lease)["data"]
    assert info["id"] == lease and info["last_renewal"], info
    client.sys.revoke_lease(lease_id=lease)
    try:
        client.sys.read_lease(lease_id=lease)
        raise AssertionError("revoked lease still readable")
    except hvac.exceptions.InvalidRequest:
        pass


for r in results:
    print(json.dumps(r))
