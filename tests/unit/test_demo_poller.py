"""The demo's polled partner: the simulation split around the poll, and the stand-in's answers."""

from __future__ import annotations

from hub.cli.demo_poller import pollers_table, split_for_polling
from hub.pollers.answers import Outcome
from hub.pollers.boxberry_client import read_status_list
from hub.pollers.credentials import load_credentials
from simulator import simulate


def test_boxberry_messages_become_one_answer_per_parcel_the_whole_history() -> None:
    simulation = simulate(40, seed=1)
    traffic = split_for_polling(simulation.messages)
    boxberry = [m for m in simulation.messages if m.partner == "boxberry"]
    assert set(traffic.answers) == {m.subject.partition(":")[2] for m in boxberry if m.subject}
    for track, body in traffic.answers.items():
        mine = [m for m in boxberry if m.subject == f"boxberry:{track}" and m.expected.outcome != "dead_lettered"]
        assert body == max(mine, key=lambda m: len(m.steps)).payload  # the simulator's bytes, unchanged
        assert read_status_list(body).outcome is Outcome.ANSWERED
    assert all(m.partner != "boxberry" for m in traffic.before + traffic.after)
    assert len(traffic.before) + len(traffic.after) == len(simulation.messages) - len(boxberry)


def test_what_would_make_a_polled_parcel_final_waits_until_after_the_poll() -> None:
    simulation = simulate(40, seed=1)
    traffic = split_for_polling(simulation.messages)
    polled = {s for m in simulation.messages if m.partner == "boxberry" for s in m.shipments}
    assert traffic.after and all(set(m.shipments) & polled for m in traffic.after)
    assert not [m for m in traffic.before if b"posting_delivered" in m.payload and set(m.shipments) & polled]
    # The link that names each Boxberry parcel (Ozon's tracking number) comes before the poll.
    for track in traffic.answers:
        assert any(track.encode() in m.payload for m in traffic.before if m.partner == "ozon")


def test_a_list_statuses_full_document_is_an_answer() -> None:
    body = '{"PD": false, "statuses": [{"Date": "01.02.2026 10:00", "Name": "Выдано", "Comment": ""}]}'.encode()
    assert read_status_list(body).outcome is Outcome.ANSWERED
    assert read_status_list(b'{"statuses": "no"}').outcome is Outcome.MALFORMED


def test_the_demo_secrets_table_is_what_the_poller_reads(tmp_path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text('[ozon]\ntoken = "x"\n' + pollers_table("http://127.0.0.1:9", "secret-token"))
    credentials = load_credentials(path, "boxberry")
    assert (credentials.url, credentials.token) == ("http://127.0.0.1:9/json.php", "secret-token")
