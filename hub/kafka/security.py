"""How a hub client proves who it is to the broker: aiokafka's connection options from the
security settings (hub/config.py reads them; `kafka_client_options` there is the entry point).
"""

from __future__ import annotations

import ssl
from pathlib import Path

PLAINTEXT = "plaintext"
SASL_SSL = "sasl_ssl"
SCRAM_MECHANISM = "SCRAM-SHA-512"


def tls_context(ca_file: str | Path | None) -> ssl.SSLContext:
    """Verifies the broker's certificate and host name against `ca_file` (the system's CAs when None)."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def client_options(security: str, username: str | None, password: str | None, ca_file: str | Path | None) -> dict[str, object]:
    """aiokafka keyword arguments (producer, consumer, admin, client) for `security`:
    nothing for plaintext; SASL_SSL with SCRAM-SHA-512 and a verifying TLS context otherwise."""
    if security == PLAINTEXT:
        return {}
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": SCRAM_MECHANISM,
        "sasl_plain_username": username,
        "sasl_plain_password": password,
        "ssl_context": tls_context(ca_file),
    }


async def connection_problem(bootstrap: str, options: dict[str, object]) -> str | None:
    """Why a client with `options` cannot talk to the first broker of `bootstrap`, in one
    line; None if it can. aiokafka's own error only says it could not bootstrap: the reason
    (a refused credential, an unverifiable certificate) is in its log, so ask once more here."""
    reason, _refused = await _probe(bootstrap, options)
    return reason


async def refusal(bootstrap: str, options: dict[str, object]) -> str | None:
    """Why the broker of `bootstrap` answers but refuses a client with `options` (a credential,
    its certificate, a plaintext client on a secure port), in one line: what waiting and
    trying again cannot change. None when it accepts the client or does not answer at all."""
    reason, refused = await _probe(bootstrap, options)
    return reason if refused else None


async def _probe(bootstrap: str, options: dict[str, object]) -> tuple[str | None, bool]:
    """(why not, whether the broker answered and refused) for one connection to the first broker."""
    from aiokafka.conn import create_conn
    from aiokafka.errors import KafkaConnectionError, SaslAuthenticationFailed

    host, _, port = bootstrap.split(",")[0].strip().rpartition(":")
    user = options.get("sasl_plain_username")
    try:
        connection = await create_conn(host, int(port), request_timeout_ms=5000, **options)
    except SaslAuthenticationFailed:
        return f"the broker refused the credential of {user!r} (wrong password, unknown user, or a rotated credential)", True
    except ssl.SSLCertVerificationError as err:
        return f"the broker's TLS certificate cannot be verified ({err.verify_message}); check HUB_KAFKA_CA_FILE", True
    except (ssl.SSLError, ConnectionResetError) as err:
        return f"TLS with the broker failed ({type(err).__name__}); is it a secure listener?", True
    except (KafkaConnectionError, OSError, TimeoutError) as err:
        if not options:
            return ("the broker closed a plaintext connection: it may be a secure (SASL_SSL) listener; "
                    "set HUB_KAFKA_SECURITY=sasl_ssl with a credential"), True
        return f"no connection to the broker ({' '.join(str(err).split()) or type(err).__name__})", False
    connection.close()
    return None, False
