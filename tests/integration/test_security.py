"""The secure broker (`hub broker start --secure`) with the declared ACLs applied: every role ×
every hub and partner topic × {produce, consume}, exactly the declared cells succeed and the
broker refuses the others; refused credentials are one line from our commands.

The broker is the run's one secure broker (conftest.py `secure_broker`). Commands run in this
process (tests/support/hub_command.py) except where the test is about how a refusal reaches a
user: one `hub` process per distinct error path.
"""

from __future__ import annotations

import asyncio
import gc
import os
import warnings
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from hub import topics
from hub.access import declaration as access
from hub.cli.access import _rotate
from hub.config import Settings, kafka_client_options
from hub.kafka.security import connection_problem
from hub.kafka.topic_reader import read_all
from tests.support.environment import SecureBroker
from tests.support.hub_command import hub_here, hub_process
from tests.support.kafka_access import as_user, set_passwords, try_consume, try_produce

pytestmark = pytest.mark.integration

# Partners whose topics are in the matrix: two with a principal each, one more topic.
PARTNERS = ("cdek", "boxberry", "ozon")
ROLE_USERS = {"workers": "hub-worker", "gateway": "hub-gateway", "pollers": "hub-pollers", "finance": "hub-finance",
              "operations": "hub-operations", "partner cdek": "partner-cdek", "partner boxberry": "partner-boxberry"}


@pytest.fixture(scope="module")
def admin_env(secure_broker: SecureBroker, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh hub's environment on the secure broker, as its super-user, with the declaration
    applied (twice: the second time changes nothing). One partition a topic: the matrix reads
    partition 0, and fewer partitions are less for the broker to make."""
    env = secure_broker.hub_environment(tmp_path_factory.mktemp("hub"), partitions="1")
    applied = hub_here(env, "access", "apply")
    assert applied.returncode == 0, applied.stderr
    assert "+ User:partner-cdek Write topic:" in applied.stdout
    again = hub_here(env, "access", "apply")
    assert again.stdout.strip() == "no change: the cluster matches the declaration", again.stdout
    return env


@pytest.fixture(scope="module")
def credentials(admin_env: dict[str, str]) -> dict[str, str]:
    """A fresh SCRAM password for every role's user."""
    return set_passwords(Settings.from_env(admin_env), list(ROLE_USERS.values()))


def refusal(env: dict[str, str]) -> str | None:
    """What our commands say when the broker refuses the credential of `env` (None: accepted),
    asked in this process. A handshake the broker breaks off leaves a socket to the collector."""
    settings = Settings.from_env(env)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        reason = asyncio.run(connection_problem(settings.kafka_bootstrap, kafka_client_options(settings)))
        gc.collect()
    return reason


def matrix_topics(settings: Settings) -> list[str]:
    return [spec.name(settings) for spec in topics.HUB_TOPICS] + [topics.partner_topic(settings, p) for p in PARTNERS]


def declared(settings: Settings, user: str, operation: str, topic: str) -> bool:
    """The declaration allows `user` `operation` on `topic` (a literal name or a prefix of it)."""
    return any(
        acl.principal == f"User:{user}" and acl.resource == "topic" and acl.operation == operation
        and (acl.name == topic if acl.pattern == "literal" else topic.startswith(acl.name))
        for acl in access.expand(access.load(), settings)
    )


def test_every_role_reaches_exactly_its_declared_topics(admin_env: dict[str, str], credentials: dict[str, str]) -> None:
    admin = Settings.from_env(admin_env)
    names = matrix_topics(admin)
    seeded = asyncio.run(try_produce(admin, names, "admin"))  # the super-user may do anything
    assert all(seeded.values()), seeded
    allowed = denied = 0
    wrong = []
    for role, user in ROLE_USERS.items():
        settings = Settings.from_env(as_user(admin_env, user, credentials[user]))
        produced = asyncio.run(try_produce(settings, names, user))
        consumed = asyncio.run(try_consume(settings, names))
        for topic in names:
            for action, outcome, operation in (("produce", produced, "Write"), ("consume", consumed, "Read")):
                expected = declared(admin, user, operation, topic)
                allowed, denied = allowed + outcome[topic], denied + (not outcome[topic])
                if outcome[topic] != expected:
                    wrong.append(f"{role} {action} {topic}: {'allowed' if outcome[topic] else 'denied'}, declared {expected}")
    print(f"\naccess matrix: {len(ROLE_USERS)} roles x {len(names)} topics x 2 = {allowed + denied} cells; "
          f"{allowed} allowed, {denied} denied by the broker")
    assert not wrong, "\n".join(wrong)
    # The declaration itself, in a few cells read plainly.
    cdek = topics.partner_topic(admin, "cdek")
    assert declared(admin, "partner-cdek", "Write", cdek) and not declared(admin, "partner-cdek", "Read", cdek)
    assert declared(admin, "hub-finance", "Read", topics.SETTLEMENTS.name(admin))
    assert not declared(admin, "hub-finance", "Read", topics.EVENTS.name(admin))


def test_a_partner_cannot_write_another_partners_topic(admin_env: dict[str, str], credentials: dict[str, str]) -> None:
    admin = Settings.from_env(admin_env)
    cdek = Settings.from_env(as_user(admin_env, "partner-cdek", credentials["partner-cdek"]))
    marker = f"forged-{os.getpid()}".encode()
    boxberry_topic = topics.partner_topic(admin, "boxberry")

    async def forge() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=cdek.kafka_bootstrap, acks="all", **kafka_client_options(cdek))
        await producer.start()
        try:
            await producer.send_and_wait(boxberry_topic, value=marker)
        finally:
            await producer.stop()

    with pytest.raises(KafkaError, match="TopicAuthorization"):
        asyncio.run(forge())
    async def read_every_topic() -> dict[str, list[bytes | None]]:
        names = matrix_topics(admin)
        read = await asyncio.gather(*(read_all(admin.kafka_bootstrap, t, security=kafka_client_options(admin)) for t in names))
        return {topic: [value for _, value in records] for topic, records in zip(names, read, strict=True)}

    for topic, values in asyncio.run(read_every_topic()).items():
        assert marker not in values, f"the forged record reached {topic}"


def test_refused_connections_are_one_line(admin_env: dict[str, str], credentials: dict[str, str], tmp_path: Path) -> None:
    settings = Settings.from_env(admin_env)
    old = credentials["hub-operations"]
    asyncio.run(_rotate(settings, "hub-operations"))
    # How a refusal reaches a user, once per path: a refused credential and a plaintext client
    # in a command (the SASL and the TLS branch of the one-line reason), and in a worker.
    processes = {
        "wrong password": ({**admin_env, "HUB_KAFKA_PASSWORD": "not-the-password"}, "refused the credential of 'admin'"),
        "plaintext to the secure port": ({**admin_env, "HUB_KAFKA_SECURITY": "plaintext"}, "closed a plaintext connection"),
    }
    for case, (env, reason) in processes.items():
        result = hub_process(env, "deadletters")
        lines = result.stderr.strip().splitlines()
        print(f"{case}: {lines}")
        assert result.returncode != 0 and len(lines) == 1 and reason in lines[0], (case, result.stderr)
    tokens = tmp_path / "tokens.toml"
    tokens.write_text('[tokens]\nops = "x"\n')
    worker = hub_process({**admin_env, "HUB_KAFKA_PASSWORD": "not-the-password", "HUB_API_TOKENS": str(tokens)}, "worker")
    assert worker.returncode != 0 and len(worker.stderr.strip().splitlines()) == 1, worker.stderr
    assert "refused the credential of 'admin'" in worker.stderr
    # The same refusal, for the other credentials the broker must not take.
    assert "refused the credential of 'nobody'" in (refusal(as_user(admin_env, "nobody", "secret")) or "accepted")
    assert "refused the credential of 'hub-operations'" in (refusal(as_user(admin_env, "hub-operations", old)) or "accepted")
    assert refusal(as_user(admin_env, "hub-finance", credentials["hub-finance"])) is None


def test_add_partner_and_rotate_print_a_credential_once(admin_env: dict[str, str], tmp_path: Path) -> None:
    declaration = tmp_path / "access.toml"
    text = access.DECLARATION.read_text().replace('"pvz_network", ', "")
    declaration.write_text(text)
    env = {**admin_env, "HUB_ACCESS_FILE": str(declaration)}
    removed = hub_here(env, "access", "apply")
    assert "- User:partner-pvz-network Write topic:" in removed.stdout, removed.stdout + removed.stderr
    added = hub_here(env, "access", "add-partner", "pvz_network")
    assert added.returncode == 0, added.stderr
    assert '"pvz_network"' in declaration.read_text()
    user, password = (line.partition("=")[2] for line in added.stdout.splitlines())
    assert user == "partner-pvz-network" and len(password) >= 24
    settings = Settings.from_env(as_user(admin_env, user, password))
    own = topics.partner_topic(settings, "pvz_network")
    assert asyncio.run(try_produce(settings, [own, topics.partner_topic(settings, "cdek")], user)) == {
        own: True, topics.partner_topic(settings, "cdek"): False,
    }
    rotated = hub_here(env, "access", "rotate", "pvz_network")
    new_password = rotated.stdout.splitlines()[1].partition("=")[2]
    assert new_password != password
    assert "refused the credential of 'partner-pvz-network'" in (refusal(as_user(admin_env, user, password)) or "accepted")
    unknown = hub_here(env, "access", "add-partner", "acme")
    assert unknown.returncode != 0 and "is not a partner of the hub" in unknown.stderr
