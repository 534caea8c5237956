from __future__ import annotations

import pytest

from clearance.engine.conditions import ConditionError, State, UnknownKind

from .helpers import evaluate, record

ENC = "GetBucketEncryption.Rules[0].Algo"


def _bucket(algo: object) -> dict:
    return record({"GetBucketEncryption": {"Rules": [{"Algo": algo}]}})


def test_comparison_true_and_false_with_values_in_reason_and_observation() -> None:
    ok, ctx = evaluate({"path": ENC, "in": ["aws:kms"]}, _bucket("aws:kms"))
    assert ok.state is State.TRUE
    bad, ctx = evaluate({"path": ENC, "in": ["aws:kms"]}, _bucket("AES256"))
    assert bad.state is State.FALSE and "'AES256'" in bad.reason
    obs = ctx.observations[0]
    assert (obs.path, obs.value, obs.expected, obs.operator) == (ENC, "AES256", ["aws:kms"], "in")
    assert obs.source is not None and obs.source.pointer == "/data/GetBucketEncryption/Rules/0/Algo"


def test_failed_operation_is_unknown_error_naming_the_permission() -> None:
    rec = record({})
    rec["errors"] = {
        "GetBucketEncryption": {
            "operation": "GetBucketEncryption",
            "code": "AccessDenied",
            "message": "no",
            "permission": "s3:GetEncryptionConfiguration",
            "denied": True,
        }
    }
    out, _ = evaluate({"path": ENC, "eq": "x"}, rec)
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.ERROR
    assert "s3:GetEncryptionConfiguration" in out.reason


def test_not_configured_answer_is_null_and_says_so() -> None:
    rec = record({"GetBucketEncryption": None}, absent={"GetBucketEncryption": "NotFoundError"})
    out, _ = evaluate({"path": ENC, "in": ["aws:kms"]}, rec)
    assert out.state is State.FALSE and "NotFoundError" in out.reason
    negated, _ = evaluate({"path": ENC, "ne": "AES256"}, rec)
    assert negated.state is State.TRUE  # why conditions must be written positively


def test_absent_field_is_unknown_unless_a_default_is_declared() -> None:
    rec = record({"DescribeLogGroups": {"name": "g"}})
    out, _ = evaluate({"path": "DescribeLogGroups.retentionInDays", "gte": 365}, rec)
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.MISSING
    out, _ = evaluate({"path": "DescribeLogGroups.retentionInDays", "gte": 365, "default": 100000}, rec)
    assert out.state is State.TRUE


def test_operation_not_collected_is_unknown() -> None:
    out, _ = evaluate({"path": "GetOther.X", "eq": 1}, record({}))
    assert out.state is State.UNKNOWN and "not collected" in out.reason


def test_exists_and_empty_can_answer_for_absent_fields() -> None:
    rec = record({"Op": {"A": []}})
    assert evaluate({"path": "Op.B", "exists": False}, rec)[0].state is State.TRUE
    assert evaluate({"path": "Op.B", "exists": True}, rec)[0].state is State.FALSE
    assert evaluate({"path": "Op.A", "empty": True}, rec)[0].state is State.TRUE


@pytest.mark.parametrize(
    ("op", "value", "expected", "state"),
    [
        ("eq", True, 1, State.FALSE),
        ("eq", 1, 1.0, State.TRUE),
        ("gte", "1.10", "1.2", State.TRUE),
        ("lt", "TLSv1.1", "TLSv1.2", State.TRUE),
        ("gt", None, 1, State.FALSE),
        ("contains", ["a", "b"], "b", State.TRUE),
        ("subset_of", ["TLSv1.2"], ["TLSv1.2", "TLSv1.3"], State.TRUE),
        ("disjoint_from", ["TLSv1", "TLSv1.2"], ["TLSv1", "TLSv1.1"], State.FALSE),
        ("matches", "alias/aws/s3", "^alias/aws/", State.TRUE),
        ("min_length", [1, 2], 3, State.FALSE),
    ],
)
def test_operator_semantics(op: str, value: object, expected: object, state: State) -> None:
    out, _ = evaluate({"path": "Op.V", op: expected}, record({"Op": {"V": value}}))
    assert out.state is state


def test_kleene_logic() -> None:
    rec = record({"Op": {"A": 1}})
    t = {"path": "Op.A", "eq": 1}
    f = {"path": "Op.A", "eq": 2}
    u = {"path": "Op.Missing", "eq": 1}
    assert evaluate({"all": [t, u, f]}, rec)[0].state is State.FALSE
    assert evaluate({"all": [t, u]}, rec)[0].state is State.UNKNOWN
    assert evaluate({"any": [f, u, t]}, rec)[0].state is State.TRUE
    assert evaluate({"any": [f, u]}, rec)[0].state is State.UNKNOWN
    assert evaluate({"not": t}, rec)[0].state is State.FALSE
    assert evaluate({"not": u}, rec)[0].state is State.UNKNOWN


def test_error_outranks_missing_context() -> None:
    rec = record({"Op": {"Days": 400}})
    rec["errors"] = {"Other": {"operation": "Other", "code": "AccessDenied", "message": "", "permission": "x:Y"}}
    out, _ = evaluate(
        {"all": [{"path": "Op.Days", "gte": {"param": "access_log_retention_days"}}, {"path": "Other.A", "eq": 1}]},
        rec,
    )
    assert out.kind is UnknownKind.ERROR


def test_each_quantifiers_and_if_none() -> None:
    rec = record({"Op": {"Items": [{"p": 22}, {"p": 443}], "Empty": []}})
    where = {"path": "p", "eq": 22}
    assert evaluate({"each": "Op.Items", "require": "any", "where": where}, rec)[0].state is State.TRUE
    assert evaluate({"each": "Op.Items", "require": "all", "where": where}, rec)[0].state is State.FALSE
    assert evaluate({"each": "Op.Items", "require": "none", "where": where}, rec)[0].state is State.FALSE
    assert evaluate({"each": "Op.Empty", "require": "any", "where": where}, rec)[0].state is State.FALSE
    assert evaluate({"each": "Op.Empty", "require": "all", "where": where}, rec)[0].state is State.TRUE
    out = evaluate({"each": "Op.Empty", "require": "all", "where": where, "if_none": "unknown"}, rec)[0]
    assert out.state is State.UNKNOWN


def test_each_item_pointer_points_into_the_list() -> None:
    rec = record({"Op": {"Items": [{"p": 1}, {"p": 22}]}})
    _, ctx = evaluate({"each": "Op.Items", "require": "none", "where": {"path": "p", "eq": 22}}, rec)
    pointers = [o.source.pointer for o in ctx.observations if o.source]
    assert "/data/Op/Items/1/p" in pointers


def test_ref_follows_links_and_unknown_target_is_unknown() -> None:
    key = record({"DescribeKey": {"KeyMetadata": {"KeyManager": "CUSTOMER"}}}, id="arn:key/1", type="aws.kms.key")
    bucket = record({}, links={"kms_key": ["arn:key/1"]})
    cond = {"ref": "kms_key", "where": {"path": "DescribeKey.KeyMetadata.KeyManager", "eq": "CUSTOMER"}}
    out, ctx = evaluate(cond, bucket, others=[key])
    assert out.state is State.TRUE
    assert ctx.observations[0].resource_id == "arn:key/1" and ctx.observations[0].source.line == 2
    dangling = record({}, links={"kms_key": ["arn:key/unknown"]})
    out, _ = evaluate(cond, dangling, others=[key])
    assert out.state is State.UNKNOWN and "not in the inventory" in out.reason


def test_profile_parameter_depending_on_unknown_data_class_needs_context() -> None:
    cond = {"path": "Op.Days", "gte": {"param": "access_log_retention_days"}}
    assert evaluate(cond, record({"Op": {"Days": 90}}))[0].state is State.FALSE
    assert evaluate(cond, record({"Op": {"Days": 731}}))[0].state is State.TRUE
    out, _ = evaluate(cond, record({"Op": {"Days": 400}}))
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.CONTEXT
    elevated = record({"Op": {"Days": 400}}, tags={"data-class": "unique-id"})
    assert evaluate(cond, elevated)[0].state is State.FALSE
    small = record({"Op": {"Days": 400}}, tags={"data-class": "pseudonymized", "pi-subjects": "1,000"})
    assert evaluate(cond, small)[0].state is State.TRUE
    many = record({"Op": {"Days": 400}}, tags={"data-class": "pseudonymized", "pi-subjects": "60000"})
    assert evaluate(cond, many)[0].state is State.FALSE


def test_data_class_condition() -> None:
    assert evaluate({"data_class": "regulated"}, record(tags={"data-class": "personal-credit"}))[0].state is State.TRUE
    assert evaluate({"data_class": "regulated"}, record(tags={"data-class": "public"}))[0].state is State.FALSE
    out, _ = evaluate({"data_class": "regulated"}, record())
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.CONTEXT


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"path": "A.B", "eq": 1, "ne": 2}, "exactly one operator"),
        ({"path": "A.B", "equals": 1}, "unexpected keys"),
        ({"path": "A.B", "in": "x"}, "expects a list"),
        ({"path": "A.B", "matches": "("}, "invalid regular expression"),
        ({"path": "A.B", "gte": {"param": "no_such_param"}}, "unknown profile parameter"),
        ({"predicate": "no_such_predicate"}, "unknown predicate"),
        ({"all": []}, "non-empty list"),
        ({"each": "A.B", "where": {"path": "c", "eq": 1}, "require": "most"}, "must be one of"),
        ({"ref": "kms_key"}, "needs a 'where'"),
        ({"data_class": "secret"}, "must be 'elevated' or 'regulated'"),
        ({"frobnicate": 1}, "unknown condition keys"),
    ],
)
def test_malformed_conditions_fail_at_load_time(condition: dict, message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        evaluate(condition, record())


def test_absent_tag_is_missing_not_a_value() -> None:
    rec = record(tags={"env": "prod"})
    assert evaluate({"path": "@tags.tier", "exists": False}, rec)[0].state is State.TRUE
    out, ctx = evaluate({"path": "@tags.tier", "eq": "db"}, rec)
    assert out.state is State.UNKNOWN and out.kind is UnknownKind.MISSING
    assert ctx.observations[0].value is None
    assert evaluate({"path": "@tags.tier", "eq": "db", "default": "app"}, rec)[0].state is State.FALSE
