"""boto3 (Secrets Manager + SSM) against the endpoint in AWS_ENDPOINT_URL (floe-sandbox).

Prints one JSON line per operation: {"service", "op", "ok", "error"?}. Each check asserts what
AWS documents for that operation; the vitest side (third-party-clients.test.ts) compares the
list with the table in src/aws/README.md.
"""
import json
import sys
import time

import boto3
from botocore.exceptions import ClientError

results = []


def check(service, op):
    def wrap(fn):
        try:
            fn()
            results.append({"service": service, "op": op, "ok": True})
        except Exception as e:  # report, keep going
            results.append({"service": service, "op": op, "ok": False, "error": f"{type(e).__name__}: {e}"})
        return fn

    return wrap


def code_of(fn):
    try:
        fn()
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


sm = boto3.client("secretsmanager")
ssm = boto3.client("ssm")
state = {}


@check("secretsmanager", "CreateSecret")
def _():
    for name in ["c/first", "b/second", "a/third"]:  # creation order != name order
        out = sm.create_secret(Name=name, SecretString=json.dumps({"user": "u", "password": name}))
        state[name] = out["VersionId"]
        time.sleep(0.01)  # distinct creation dates
    assert code_of(lambda: sm.create_secret(Name="c/first", SecretString="x")) == "ResourceExistsException"


@check("secretsmanager", "GetSecretValue")
def _():
    out = sm.get_secret_value(SecretId="c/first")
    assert json.loads(out["SecretString"])["password"] == "c/first"
    assert "AWSCURRENT" in out["VersionStages"]
    assert code_of(lambda: sm.get_secret_value(SecretId="nope")) == "ResourceNotFoundException"


@check("secretsmanager", "PutSecretValue")
def _():
    out = sm.put_secret_value(SecretId="c/first", SecretString="v2")
    state["v2"] = out["VersionId"]
    assert sm.get_secret_value(SecretId="c/first")["SecretString"] == "v2"
    prev = sm.get_secret_value(SecretId="c/first", VersionStage="AWSPREVIOUS")
    assert prev["VersionId"] == state["c/first"]


@check("secretsmanager", "DescribeSecret")
def _():
    out = sm.describe_secret(SecretId="c/first")
    stages = out["VersionIdsToStages"]
    assert stages[state["v2"]] == ["AWSCURRENT"] and stages[state["c/first"]] == ["AWSPREVIOUS"]


@check("secretsmanager", "UpdateSecretVersionStage")
def _():
    sm.update_secret_version_stage(
        SecretId="c/first", VersionStage="AWSCURRENT", MoveToVersionId=state["c/first"], RemoveFromVersionId=state["v2"]
    )
    out = sm.get_secret_value(SecretId="c/first", VersionStage="AWSCURRENT")
    assert out["VersionId"] == state["c/first"]
    sm.update_secret_version_stage(
        SecretId="c/first", VersionStage="AWSCURRENT", MoveToVersionId=state["v2"], RemoveFromVersionId=state["c/first"]
    )


@check("secretsmanager", "ListSecretVersionIds")
def _():
    out = sm.list_secret_version_ids(SecretId="c/first")
    ids = {v["VersionId"]: v["VersionStages"] for v in out["Versions"]}
    assert ids[state["v2"]] == ["AWSCURRENT"], ids
    assert ids[state["c/first"]] == ["AWSPREVIOUS"], ids


@check("secretsmanager", "BatchGetSecretValue")
def _():
    out = sm.batch_get_secret_value(SecretIdList=["a/third", "b/second", "missing"])
    assert sorted(v["Name"] for v in out["SecretValues"]) == ["a/third", "b/second"]
    assert [e["ErrorCode"] for e in out["Errors"]] == ["ResourceNotFoundException"]


@check("secretsmanager", "ListSecrets")
def _():
    names = [s["Name"] for p in sm.get_paginator("list_secrets").paginate(PaginationConfig={"PageSize": 1}) for s in p["SecretList"]]
    # AWS lists by creation date (created c/first, then b/second, then a/third)
    assert names == ["c/first", "b/second", "a/third"], names
    filtered = sm.list_secrets(Filters=[{"Key": "name", "Values": ["b/"]}])["SecretList"]
    assert [s["Name"] for s in filtered] == ["b/second"]


@check("secretsmanager", "DeleteSecret")
def _():
    out = sm.delete_secret(SecretId="a/third", RecoveryWindowInDays=7)
    assert "DeletionDate" in out
    assert code_of(lambda: sm.get_secret_value(SecretId="a/third")) == "InvalidRequestException"
    names = [s["Name"] for s in sm.list_secrets()["SecretList"]]
    assert "a/third" not in names
    planned = sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]
    assert [s["Name"] for s in planned if "DeletedDate" in s] == ["a/third"]


@check("secretsmanager", "RestoreSecret")
def _():
    sm.restore_secret(SecretId="a/third")
    assert json.loads(sm.get_secret_value(SecretId="a/third")["SecretString"])["user"] == "u"


@check("secretsmanager", "RotateSecret")
def _():
    out = sm.rotate_secret(SecretId="b/second", RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:rot")
    assert out["Name"] == "b/second" and out["VersionId"]
    assert sm.describe_secret(SecretId="b/second")["RotationEnabled"] is True


@check("ssm", "PutParameter")
def _():
    for v in ["one", "two", "three"]:
        ssm.put_parameter(Name="/app/db/password", Value=v, Type="SecureString", Overwrite=True)
    ssm.put_parameter(Name="/app/url", Value="https://x.test", Type="String")
    assert code_of(lambda: ssm.put_parameter(Name="/app/url", Value="y", Type="String")) == "ParameterAlreadyExists"


@check("ssm", "GetParameter")
def _():
    out = ssm.get_parameter(Name="/app/db/password", WithDecryption=True)["Parameter"]
    assert out["Value"] == "three" and out["Version"] == 3
    assert ssm.get_parameter(Name="/app/db/password:1", WithDecryption=True)["Parameter"]["Value"] == "one"
    assert code_of(lambda: ssm.get_parameter(Name="/nope")) == "ParameterNotFound"


@check("ssm", "LabelParameterVersion")
def _():
    out = ssm.label_parameter_version(Name="/app/db/password", ParameterVersion=2, Labels=["stable"])
    assert out["InvalidLabels"] == []


@check("ssm", "GetParameters")
def _():
    out = ssm.get_parameters(Names=["/app/db/password:stable", "/app/url", "/nope"], WithDecryption=True)
    values = {p["Name"] + p.get("Selector", ""): p["Value"] for p in out["Parameters"]}
    assert values == {"/app/db/password:stable": "two", "/app/url": "https://x.test"}, values
    assert out["InvalidParameters"] == ["/nope"]


@check("ssm", "GetParametersByPath")
def _():
    out = ssm.get_parameters_by_path(Path="/app", Recursive=True, WithDecryption=True)
    assert sorted(p["Name"] for p in out["Parameters"]) == ["/app/db/password", "/app/url"]


@check("ssm", "DescribeParameters")
def _():
    out = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": ["/app/url"]}])
    assert [p["Name"] for p in out["Parameters"]] == ["/app/url"]


@check("ssm", "GetParameterHistory")
def _():
    out = ssm.get_parameter_history(Name="/app/db/password", WithDecryption=False)
    assert [p["Version"] for p in out["Parameters"]] == [1, 2, 3]
    assert out["Parameters"][1]["Labels"] == ["stable"]


@check("ssm", "DeleteParameter")
def _():
    ssm.delete_parameter(Name="/app/url")
    assert code_of(lambda: ssm.delete_parameter(Name="/app/url")) == "ParameterNotFound"


@check("ssm", "DeleteParameters")
def _():
    ssm.put_parameter(Name="/tmp/a", Value="a", Type="String")
    out = ssm.delete_parameters(Names=["/tmp/a", "/tmp/missing"])
    assert out["DeletedParameters"] == ["/tmp/a"] and out["InvalidParameters"] == ["/tmp/missing"]


for r in results:
    print(json.dumps(r))
sys.exit(0)
