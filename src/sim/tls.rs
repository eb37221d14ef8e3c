//! The simulated cluster's TLS, as a real one has: a CA generated per cluster (its
//! certificate goes into the kubeconfig as `certificate-authority-data`), a serving
//! certificate for loopback and `kdeck-sim.local` (for `tls-server-name`), and a
//! client certificate the CA signed (kubeconfig `client-certificate-data`), which
//! authenticates as its user. An identity is kept across a restart on the same
//! address, so clients trust the server that comes back; an expired serving
//! certificate can be asked for (fault injection).

use std::sync::Arc;

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The name the serving certificate holds beside the loopback addresses.
pub const SERVER_NAME: &str = "kdeck-sim.local";

/// A cluster's certificates.
pub struct Identity {
    pub ca_pem: String,
    ca_der: CertificateDer<'static>,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: Vec<u8>,
    expired_chain: Vec<CertificateDer<'static>>,
    expired_key: Vec<u8>,
    /// The client certificate and key (PEM) for the kubeconfig's user.
    pub client_cert_pem: String,
    pub client_key_pem: String,
    client_der: CertificateDer<'static>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity { .. }")
    }
}

fn leaf(
    names: Vec<String>,
    cn: &str,
    usage: ExtendedKeyUsagePurpose,
    expired: bool,
    ca: &CertifiedIssuer<'_, KeyPair>,
) -> anyhow::Result<(rcgen::Certificate, KeyPair)> {
    let mut p = CertificateParams::new(names)?;
    p.distinguished_name.push(DnType::CommonName, cn);
    p.extended_key_usages = vec![usage];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if expired {
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2020, 2, 1);
    } else {
        p.not_before = rcgen::date_time_ymd(2024, 1, 1);
        p.not_after = rcgen::date_time_ymd(2036, 1, 1);
    }
    let key = KeyPair::generate()?;
    let cert = p.signed_by(&key, ca)?;
    Ok((cert, key))
}

impl Identity {
    pub fn generate() -> anyhow::Result<Arc<Identity>> {
        let mut p = CertificateParams::new(Vec::<String>::new())?;
        p.distinguished_name
            .push(DnType::CommonName, "kdeck-sim CA");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.not_before = rcgen::date_time_ymd(2024, 1, 1);
        p.not_after = rcgen::date_time_ymd(2036, 1, 1);
        let ca = CertifiedIssuer::self_signed(p, KeyPair::generate()?)?;
        let names = vec![
            "127.0.0.1".to_string(),
            "::1".to_string(),
            "localhost".to_string(),
            SERVER_NAME.to_string(),
        ];
        let (server, server_key) = leaf(
            names.clone(),
            "kube-apiserver",
            ExtendedKeyUsagePurpose::ServerAuth,
            false,
            &ca,
        )?;
        let (expired, expired_key) = leaf(
            names,
            "kube-apiserver",
            ExtendedKeyUsagePurpose::ServerAuth,
            true,
            &ca,
        )?;
        let (client, client_key) = leaf(
            Vec::new(),
            super::DEFAULT_USER,
            ExtendedKeyUsagePurpose::ClientAuth,
            false,
            &ca,
        )?;
        Ok(Arc::new(Identity {
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            server_chain: vec![server.der().clone()],
            server_key: server_key.serialize_der(),
            expired_chain: vec![expired.der().clone()],
            expired_key: expired_key.serialize_der(),
            client_cert_pem: client.pem(),
            client_key_pem: client_key.serialize_pem(),
            client_der: client.der().clone(),
        }))
    }

    /// The CA for a kubeconfig's `certificate-authority-data`.
    pub fn ca_data(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.ca_pem.as_bytes())
    }

    pub fn client_cert_data(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.client_cert_pem.as_bytes())
    }

    pub fn client_key_data(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.client_key_pem.as_bytes())
    }

    /// Whether `cert` is the client certificate this cluster issued (its user).
    pub fn is_client(&self, cert: &CertificateDer<'_>) -> bool {
        cert.as_ref() == self.client_der.as_ref()
    }

    /// The server's TLS configuration; `expired` serves the expired certificate.
    /// Client certificates are asked for but not required (a token will do).
    pub fn server_config(&self, expired: bool) -> anyhow::Result<Arc<rustls::ServerConfig>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone())?;
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .allow_unauthenticated()
        .build()?;
        let (chain, key) = if expired {
            (self.expired_chain.clone(), self.expired_key.clone())
        } else {
            (self.server_chain.clone(), self.server_key.clone())
        };
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)))?;
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(cfg))
    }
}
