"""One MongoDB database, two apps: Flask (``schema="authjs"``) and the real
``@auth/mongodb-adapter`` (npm, run with node).

The Node adapter needs a ``MongoClient``; mongomock cannot serve one over the wire, so
``tests/nextauth/mongodb_adapter.mjs`` hands it a client whose every collection call is
relayed here, as Extended JSON, and run on the mongomock database the Flask adapter uses.
The adapter's own code (its ``to``/``from`` conversions, its queries) runs unchanged; with
``MONGODB_URI`` set the same tests also run on a real server, the Node adapter through the
real driver.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId, json_util
from bson.json_util import CANONICAL_JSON_OPTIONS
from pymongo import ReturnDocument

from flask_authjs.adapters import MongoDBAdapter

NEXTAUTH = Path(__file__).resolve().parents[1] / "nextauth"
try:
    from mongomock import Database as _MONGOMOCK_DATABASE
except ImportError:  # pragma: no cover - mongomock is a test dependency
    _MONGOMOCK_DATABASE = type(None)
SCRIPT = NEXTAUTH / "mongodb_adapter.mjs"
FUTURE = "2100-01-01T00:00:00.000Z"
FUTURE_EPOCH = 4102444800


@pytest.fixture(params=["relayed-to-mongomock", "real-server"])
def database(request: Any) -> Iterator[Any]:
    """mongomock behind the relay, and a real server when ``MONGODB_URI`` is set."""
    missing = (
        shutil.which("node") is None
        or not (NEXTAUTH / "node_modules/@auth/mongodb-adapter").is_dir()
    )
    if missing:
        reason = "needs node and `(cd tests/nextauth && npm ci)` for @auth/mongodb-adapter"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"authjs_shared_{uuid.uuid4().hex[:12]}"
    if request.param == "relayed-to-mongomock":
        yield pytest.importorskip("mongomock").MongoClient()[name]
        return
    uri = os.environ.get("MONGODB_URI")
    if not uri:
        pytest.skip("set MONGODB_URI=mongodb://host:port to run against a real MongoDB")
    from pymongo import MongoClient

    client: Any = MongoClient(uri, serverSelectionTimeoutMS=2000)
    try:
        yield client[name]
    finally:
        client.drop_database(name)
        client.close()


@pytest.fixture
def store(database: Any) -> Any:
    return MongoDBAdapter(database, schema="authjs")


def _apply(collection: Any, op: str, args: list[Any]) -> Any:
    """One collection call of the Node driver's API, on mongomock."""
    if op == "insertOne":
        return {"acknowledged": True, "insertedId": collection.insert_one(args[0]).inserted_id}
    if op == "findOne":
        return collection.find_one(*args[:1])
    if op == "findOneAndDelete":
        return collection.find_one_and_delete(args[0])
    if op == "findOneAndUpdate":
        after = len(args) > 2 and args[2].get("returnDocument") == "after"
        return collection.find_one_and_update(
            args[0],
            args[1],
            return_document=ReturnDocument.AFTER if after else ReturnDocument.BEFORE,
        )
    if op in ("deleteOne", "deleteMany"):
        method = collection.delete_one if op == "deleteOne" else collection.delete_many
        return {"acknowledged": True, "deletedCount": method(args[0]).deleted_count}
    raise AssertionError(f"the Node adapter called {op}, which this relay does not know")


def node(database: Any, *calls: tuple[str, list[Any]]) -> list[Any]:
    """Run ``@auth/mongodb-adapter`` methods on ``database``; their results, in order."""
    process = subprocess.Popen(
        ["node", str(SCRIPT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        payload: dict[str, Any] = {"calls": [{"method": m, "args": a} for m, a in calls]}
        if not isinstance(database, _MONGOMOCK_DATABASE):
            payload.update(uri=os.environ["MONGODB_URI"], database=database.name)
        process.stdin.write(json.dumps(payload) + "\n")
        process.stdin.flush()
        for line in process.stdout:
            message = json_util.loads(line)
            if "done" in message:
                done: list[Any] = json.loads(line)["done"]
                return done
            result = _apply(database[message["collection"]], message["op"], message["args"])
            answer = json_util.dumps({"result": result}, json_options=CANONICAL_JSON_OPTIONS)
            process.stdin.write(answer + "\n")
            process.stdin.flush()
        raise AssertionError(f"node ended early: {process.stderr.read() if process.stderr else ''}")
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_user_and_account_made_by_flask_are_read_by_the_node_adapter(
    database: Any, store: Any
) -> None:
    user = store.create_user("ada@example.com", name="Ada", password_hash="$2b$04$secret")
    store.link_account(
        user["id"], {"provider": "github", "providerAccountId": "42", "type": "oauth"}
    )
    by_id, by_email, by_account = node(
        database,
        ("getUser", [user["id"]]),
        ("getUserByEmail", ["ada@example.com"]),
        ("getUserByAccount", [{"provider": "github", "providerAccountId": "42"}]),
    )
    assert by_id == {
        "id": user["id"],
        "name": "Ada",
        "email": "ada@example.com",
        "emailVerified": None,
        "image": None,
    }  # no password hash: it lives outside the users collection
    assert by_email == by_id and by_account == by_id


def test_a_user_and_account_made_by_the_node_adapter_are_read_by_flask(
    database: Any, store: Any
) -> None:
    (user,) = node(
        database,
        ("createUser", [{"email": "grace@example.com", "name": "Grace", "emailVerified": None}]),
    )
    assert ObjectId.is_valid(user["id"])
    assert store.get_user(user["id"]) == {
        "id": user["id"],
        "email": "grace@example.com",
        "name": "Grace",
        "image": None,
        "password_hash": None,
    }
    assert store.get_user_by_email("grace@example.com") == store.get_user(user["id"])
    node(
        database,
        (
            "linkAccount",
            [{"userId": user["id"], "type": "oauth", "provider": "gh", "providerAccountId": "7"}],
        ),
    )
    found = store.get_user_by_account("gh", "7")
    assert found is not None and found["id"] == user["id"]


def test_sessions_made_by_either_side_are_sessions_on_the_other(database: Any, store: Any) -> None:
    user = store.create_user("lin@example.com", name="Lin")
    store.create_session(
        "flask-token", user["id"], FUTURE_EPOCH, {"name": "Lin"}, now=FUTURE_EPOCH - 3600
    )
    (found,) = node(database, ("getSessionAndUser", ["flask-token"]))
    assert found["session"]["sessionToken"] == "flask-token"
    assert found["session"]["userId"] == user["id"]
    assert found["session"]["expires"] == FUTURE
    assert found["user"]["email"] == "lin@example.com"

    node(
        database,
        (
            "createSession",
            [{"sessionToken": "node-token", "userId": user["id"], "expires": FUTURE}],
        ),
    )
    assert store.get_session("node-token") == {
        "session_key": "node-token",
        "user_id": user["id"],
        "expires": FUTURE_EPOCH,
        "data": {"name": "Lin", "email": "lin@example.com", "picture": None},
    }
    node(database, ("deleteSession", ["flask-token"]))
    assert store.get_session("flask-token") is None
    assert store.delete_user_sessions(user["id"]) == 1


def test_verification_tokens_are_used_once_across_the_two(database: Any, store: Any) -> None:
    store.create_verification_token("ada@example.com", "hashed-1", FUTURE_EPOCH)
    identifier = {"identifier": "ada@example.com", "token": "hashed-1"}
    used, again = node(
        database, ("useVerificationToken", [identifier]), ("useVerificationToken", [identifier])
    )
    assert used["identifier"] == "ada@example.com" and used["expires"] == FUTURE
    assert again is None
    node(
        database,
        (
            "createVerificationToken",
            [{"identifier": "bob@example.com", "token": "hashed-2", "expires": FUTURE}],
        ),
    )
    assert store.use_verification_token("bob@example.com", "hashed-2") == {
        "identifier": "bob@example.com",
        "token": "hashed-2",
        "expires": FUTURE_EPOCH,
    }
    assert store.use_verification_token("bob@example.com", "hashed-2") is None
