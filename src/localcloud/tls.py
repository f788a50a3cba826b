"""The local certificate authority and the per-hostname server certificates of the data plane.

A CA is created once per state directory (`ca.pem`, `ca-key.pem`); clients trust `ca.pem`.
Leaf certificates are issued on demand for the SNI name a client asks for and cached, so every
`*.execute-api.<region>.amazonaws.com` host and every custom domain gets a valid certificate
without restarting the listener.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import ssl
import tempfile
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
_EXECUTE_API = re.compile(r"^[^.]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$")
_VALID_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9*]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"
)
_DEFAULT_NAME = "localhost"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class LocalCertificateAuthority:
    """Loads or creates the CA in a state directory and issues server certificates from it."""

    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.cert_path = (state_dir / CA_CERT_FILE).resolve()
        self._key_path = state_dir / CA_KEY_FILE
        if self.cert_path.exists() and self._key_path.exists() and self._load():
            return
        self._create()

    def _load(self) -> bool:
        cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
        key = serialization.load_pem_private_key(self._key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            return False
        # A CA close to expiry is replaced rather than handing out certificates that outlive it.
        if cert.not_valid_after_utc - _now() < datetime.timedelta(days=30):
            return False
        self.cert, self._key = cert, key
        return True

    def _create(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "localcloud"),
                x509.NameAttribute(NameOID.COMMON_NAME, "localcloud local CA"),
            ]
        )
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # The key is written owner-only before any byte of it lands on disk.
        fd = os.open(self._key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key_pem)
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.cert, self._key = cert, key

    def issue(self, names: list[str]) -> tuple[bytes, bytes]:
        """A leaf certificate (PEM cert + CA, PEM key) valid for the DNS names or IPs given."""
        key = ec.generate_private_key(ec.SECP256R1())
        alt_names: list[x509.GeneralName] = []
        for name in names:
            try:
                alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt_names.append(x509.DNSName(name))
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        chain = cert.public_bytes(serialization.Encoding.PEM) + self.cert.public_bytes(
            serialization.Encoding.PEM
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return chain, key_pem


def names_for(server_name: str) -> list[str]:
    """The SANs a leaf for this SNI name carries: a region's execute-api wildcard, or the name itself."""
    match = _EXECUTE_API.match(server_name)
    if match:
        return [f"*.execute-api.{match.group(1)}.amazonaws.com"]
    return [server_name]


class ServerContexts:
    """TLS server contexts per SNI name, TLS 1.2 minimum, issued on first use and cached."""

    def __init__(self, ca: LocalCertificateAuthority) -> None:
        self._ca = ca
        self._lock = threading.Lock()
        self._by_names: dict[tuple[str, ...], ssl.SSLContext] = {}
        self.default = self._context_for([_DEFAULT_NAME, "127.0.0.1", "::1"])
        self.default.sni_callback = self._on_sni

    def _new_context(self, chain: bytes, key: bytes) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        # load_cert_chain only reads files; a private temp dir keeps the key unreadable to others.
        with tempfile.TemporaryDirectory(prefix="localcloud-tls-") as tmp:
            cert_file, key_file = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
            cert_file.write_bytes(chain)
            key_file.write_bytes(key)
            context.load_cert_chain(cert_file, key_file)
        context.set_alpn_protocols(["http/1.1"])
        return context

    def _context_for(self, names: list[str]) -> ssl.SSLContext:
        key = tuple(names)
        with self._lock:
            context = self._by_names.get(key)
            if context is None:
                context = self._new_context(*self._ca.issue(names))
                self._by_names[key] = context
            return context

    def _on_sni(
        self, sock: ssl.SSLObject | ssl.SSLSocket, server_name: str | None, _: ssl.SSLContext
    ) -> None:
        if not server_name:
            return
        name = server_name.lower().rstrip(".")
        if not _VALID_HOSTNAME.match(name) or name == _DEFAULT_NAME:
            return
        sock.context = self._context_for(names_for(name))

    def issued_names(self) -> list[tuple[str, ...]]:
        with self._lock:
            return list(self._by_names)
