"""What a secure local broker (`hub broker start --secure`) needs on disk: a local CA, the
brokers' key and certificate, the super-user's SCRAM secret, and the listener settings.

Made once, on first start, in `<dir>/secure/` (files readable by their owner only), with the
JDK's `keytool`, which the broker's Java already brings: no new Python library.
Clients use SASL_SSL with SCRAM-SHA-512 on the client port; the controller port speaks TLS
with client certificates (SCRAM cannot run there), so only the brokers themselves, holding
the broker key, are let in on it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hub.kafka.broker_files import BrokerError

ADMIN_USER = "admin"
# The principal of a broker on the controller port: the subject of the broker certificate.
BROKER_PRINCIPAL = "User:CN=hub-broker"
SCRAM_MECHANISM = "SCRAM-SHA-512"


@dataclass(frozen=True)
class SecureFiles:
    """The secure broker's material, as `prepare` left it in `<dir>/secure/`."""

    directory: Path
    store_password: str
    admin_password: str

    @property
    def keystore(self) -> Path:
        return self.directory / "broker.p12"

    @property
    def truststore(self) -> Path:
        return self.directory / "truststore.p12"

    @property
    def ca_file(self) -> Path:
        """The CA certificate (PEM) clients verify the brokers with: HUB_KAFKA_CA_FILE."""
        return self.directory / "ca.pem"

    @property
    def admin_env(self) -> Path:
        """The super-user's settings as `VAR=value` lines: `set -a; . <this>; set +a`."""
        return self.directory / "admin.env"


def secure_directory(directory: Path) -> Path:
    return directory / "secure"


def prepare(directory: Path) -> SecureFiles:
    """The CA, the broker's certificate and the super-user's secret of the broker in
    `directory`, made the first time and read back after that."""
    where = secure_directory(directory)
    secrets_file = where / "secrets.json"
    if secrets_file.exists():
        data = json.loads(secrets_file.read_text())
        return SecureFiles(where, data["store_password"], data["admin_password"])
    if shutil.which("keytool") is None:
        raise BrokerError("keytool is not installed: the secure broker makes its certificates with the JDK's keytool")
    where.mkdir(parents=True, exist_ok=True)
    os.chmod(where, 0o700)
    # URL-safe tokens: no character that SCRAM's `[name=...,password=...]` or JAAS quoting would need escaped.
    files = SecureFiles(where, secrets.token_urlsafe(24), secrets.token_urlsafe(24))
    _make_certificates(files)
    _write_private(secrets_file, json.dumps({"store_password": files.store_password, "admin_password": files.admin_password}))
    _write_private(files.admin_env, admin_environment(files))
    return files


def admin_settings(files: SecureFiles) -> dict[str, str]:
    """The super-user's HUB_KAFKA_* variables (what admin.env holds)."""
    return {
        "HUB_KAFKA_SECURITY": "sasl_ssl",
        "HUB_KAFKA_USERNAME": ADMIN_USER,
        "HUB_KAFKA_PASSWORD": files.admin_password,
        "HUB_KAFKA_CA_FILE": str(files.ca_file),
    }


def admin_environment(files: SecureFiles) -> str:
    return "".join(f"{name}={value}\n" for name, value in admin_settings(files).items())


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as f:
        f.write(text)


def _keytool(*args: str) -> None:
    # keytool is a JVM start each time: C1 only and the serial collector make it start faster.
    completed = subprocess.run(["keytool", *args, "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"], capture_output=True, text=True)
    if completed.returncode != 0:
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-1:] or ["no output"]
        raise BrokerError(f"keytool {args[0]} failed: {tail[0]}")


def _make_certificates(files: SecureFiles) -> None:
    """A CA (kept only in ca.p12), the brokers' key signed by it for 127.0.0.1 and localhost
    (server and client use: brokers present it to each other on the controller port), and a
    truststore holding the CA."""
    d, password = files.directory, files.store_password
    ca_store, csr, signed = d / "ca.p12", d / "broker.csr", d / "broker.pem"
    common = ["-storetype", "PKCS12", "-storepass", password, "-keypass", password]
    _keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "825",
             "-dname", "CN=hub-local-ca", "-ext", "bc:c", "-keystore", str(ca_store), *common)
    _keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", str(ca_store), "-storepass", password, "-file", str(files.ca_file))
    _keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "825",
             "-dname", "CN=hub-broker", "-keystore", str(files.keystore), *common)
    _keytool("-certreq", "-alias", "broker", "-keystore", str(files.keystore), "-storepass", password, "-file", str(csr))
    _keytool("-gencert", "-alias", "ca", "-keystore", str(ca_store), "-storepass", password, "-infile", str(csr),
             "-outfile", str(signed), "-rfc", "-validity", "825", "-ext", "san=ip:127.0.0.1,dns:localhost",
             "-ext", "ku:c=digitalSignature,keyEncipherment", "-ext", "eku=serverAuth,clientAuth")
    _keytool("-importcert", "-noprompt", "-alias", "ca", "-file", str(files.ca_file), "-keystore", str(files.keystore), *common)
    _keytool("-importcert", "-noprompt", "-alias", "broker", "-file", str(signed), "-keystore", str(files.keystore), *common)
    _keytool("-importcert", "-noprompt", "-alias", "ca", "-file", str(files.ca_file), "-keystore", str(files.truststore), *common)
    csr.unlink()
    for path in d.iterdir():
        os.chmod(path, 0o600)


def secure_properties(files: SecureFiles, port: int, controller_port: int) -> dict[str, str]:
    """The listener, TLS, SASL and authorizer settings of a secure node; they replace the
    plaintext listeners of the development templates."""
    jaas = f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{ADMIN_USER}" password="{files.admin_password}";'
    return {
        "listeners": f"SASL_SSL://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"SASL_SSL://127.0.0.1:{port}",
        "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:SSL",
        "inter.broker.listener.name": "SASL_SSL",
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": jaas,
        "ssl.keystore.type": "PKCS12",
        "ssl.keystore.location": str(files.keystore),
        "ssl.keystore.password": files.store_password,
        "ssl.key.password": files.store_password,
        "ssl.truststore.type": "PKCS12",
        "ssl.truststore.location": str(files.truststore),
        "ssl.truststore.password": files.store_password,
        # Only a holder of the broker key gets onto the controller port.
        "listener.name.controller.ssl.client.auth": "required",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{ADMIN_USER};{BROKER_PRINCIPAL}",
    }


def apply_secure(properties: str, files: SecureFiles, port: int, controller_port: int) -> str:
    """`properties` (a rendered template) with its listener lines replaced by the secure ones."""
    replaced = secure_properties(files, port, controller_port)
    kept = [line for line in properties.splitlines() if line.partition("=")[0].strip() not in replaced]
    return "\n".join([*kept, "# Secure mode (hub/kafka/broker_security.py): SASL_SSL + SCRAM-SHA-512, ACLs deny by default.",
                      *(f"{k}={v}" for k, v in replaced.items())]) + "\n"


def format_arguments(files: SecureFiles) -> list[str]:
    """StorageTool arguments that bootstrap the super-user's SCRAM credential (KRaft keeps
    credentials in its metadata log, so the first one must exist before the first start)."""
    return ["--add-scram", f"{SCRAM_MECHANISM}=[name={ADMIN_USER},password={files.admin_password}]"]
