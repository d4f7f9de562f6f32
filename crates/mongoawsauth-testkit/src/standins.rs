//! Both stand-ins at once: an STS stand-in with one IAM user and one temporary session, and a
//! fake mongod forwarding to it (or to an external loopback STS such as moto); plus the IMDSv2
//! and container credentials stand-ins and the SSO portal stand-in, whose sessions the STS
//! stand-in accepts, and a chain of three roles for signed `AssumeRole`.

use std::net::SocketAddr;

use crate::identity::{DEFAULT_ACCOUNT_ID, Identity, IdentityStore};
use crate::metadata::{ContainerConfig, ContainerServer, CredentialsMode, ImdsConfig, ImdsServer};
use crate::mongod::{DEFAULT_STS_HOST, FakeMongod, Fault, MongodConfig};
use crate::sso::{SsoConfig, SsoPortal};
use crate::sts::{AssumableRole, SamlRole, StsConfig, StsServer, WebIdentityRole};

/// Settings for [`StandIns::start`].
#[derive(Clone, Debug)]
pub struct StandInsConfig {
    /// Forward to this loopback STS instead of the in-process one (its identities are then the
    /// caller's business: the generated ones are only known to the in-process STS).
    pub sts_url: Option<String>,
    /// The `h` the fake mongod sends.
    pub sts_host: String,
    /// A fault for the fake mongod to start with.
    pub fault: Option<Fault>,
    /// The account of the generated identities.
    pub account_id: String,
}

impl Default for StandInsConfig {
    fn default() -> Self {
        Self {
            sts_url: None,
            sts_host: DEFAULT_STS_HOST.to_owned(),
            fault: None,
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
        }
    }
}

/// A running STS stand-in and fake mongod. Both stop when this is dropped.
/// May be shared across threads.
#[derive(Debug)]
pub struct StandIns {
    // Declared before `runtime` so the servers are dropped (aborted) before it shuts down.
    sts: StsServer,
    mongod: FakeMongod,
    user: Identity,
    temporary: Identity,
    web_identity: WebIdentityRole,
    saml: SamlRole,
    chained_roles: Vec<AssumableRole>,
    imds: ImdsServer,
    container: ContainerServer,
    sso: SsoPortal,
    sso_token: String,
    runtime: Option<tokio::runtime::Runtime>,
}

/// The role the SSO portal stand-in grants.
pub const SSO_ROLE: &str = "sso-role";
/// The `sso_region` the stand-ins' JSON suggests (any region works: the endpoint is given).
pub const SSO_REGION: &str = "us-east-1";
/// The `sso_start_url` the stand-ins' JSON suggests.
pub const SSO_START_URL: &str = "https://d-standin.awsapps.com/start";

impl StandIns {
    /// Starts both on the current tokio runtime, with a generated IAM user `mongo-user` and a
    /// temporary session `mongo-role/session`.
    pub async fn start(config: StandInsConfig) -> std::io::Result<Self> {
        let identities = IdentityStore::new(config.account_id.clone());
        let user = identities.add_user("mongo-user");
        let temporary = identities.add_temporary("mongo-role", "session");
        let sts = StsServer::start(StsConfig { identities, ..StsConfig::default() }).await?;
        let (web_identity, saml) = crate::sts::trust_standin_roles(&sts, &config.account_id);
        let mut mongod_config = MongodConfig::new(config.sts_url.clone().unwrap_or_else(|| sts.url()));
        mongod_config.sts_host = config.sts_host;
        mongod_config.fault = config.fault;
        let mongod = FakeMongod::start(mongod_config).await?;
        let (imds, container) = start_metadata(sts.identities()).await?;
        let sso = SsoPortal::start(SsoConfig::new(sts.identities().clone(), SSO_ROLE)).await?;
        let sso_token = sso.issue_token();
        let chained_roles = chained_roles(&config.account_id, &user);
        for role in &chained_roles {
            sts.allow_assume_role(role.clone());
        }
        Ok(Self {
            sts,
            mongod,
            user,
            temporary,
            web_identity,
            saml,
            chained_roles,
            imds,
            container,
            sso,
            sso_token,
            runtime: None,
        })
    }

    /// Like [`StandIns::start`], on a runtime of its own (two worker threads), for synchronous
    /// tests and bindings. Must not be called from inside a tokio runtime: blocking there panics;
    /// use [`StandIns::start`] instead.
    pub fn start_blocking(config: StandInsConfig) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mongoawsauth-standins")
            .enable_all()
            .build()?;
        let mut me = runtime.block_on(Self::start(config))?;
        me.runtime = Some(runtime);
        Ok(me)
    }

    /// The fake mongod's address.
    pub fn mongod_addr(&self) -> SocketAddr {
        self.mongod.addr()
    }

    /// A driver connection string for the fake mongod (see [`FakeMongod::uri`]).
    pub fn mongodb_uri(&self) -> String {
        self.mongod.uri()
    }

    /// The STS URL the fake mongod forwards to.
    pub fn sts_url(&self) -> &str {
        self.mongod.sts_url()
    }

    /// The in-process STS stand-in's URL (it runs even when forwarding elsewhere).
    pub fn local_sts_url(&self) -> String {
        self.sts.url()
    }

    /// The generated IAM user (`AKIA…`, no session token).
    pub fn user(&self) -> &Identity {
        &self.user
    }

    /// The generated temporary credentials (`ASIA…` with a session token).
    pub fn temporary(&self) -> &Identity {
        &self.temporary
    }

    /// The role the STS stand-in lets a web identity token assume, with that token and (when it
    /// could be written) a file holding it, for `AWS_WEB_IDENTITY_TOKEN_FILE`.
    pub fn web_identity(&self) -> &WebIdentityRole {
        &self.web_identity
    }

    /// The role the STS stand-in lets a SAML assertion assume, with its principal and assertion.
    pub fn saml(&self) -> &SamlRole {
        &self.saml
    }

    /// The roles signed `AssumeRole` can chain, in order: `chain-a` (trusted by the IAM user
    /// [`StandIns::user`], the temporary session's role `mongo-role`, and the IMDS and container
    /// roles, so `credential_source` works), `chain-b` (trusted by `chain-a`'s sessions) and
    /// `chain-c` (trusted by `chain-b`'s sessions, with a generated external id). Each has IAM's
    /// default one-hour maximum session.
    pub fn chained_roles(&self) -> &[AssumableRole] {
        &self.chained_roles
    }

    /// The IMDSv2 stand-in: every credentials request hands out a new session of role
    /// `imds-role` (ARN `arn:aws:sts::<account>:assumed-role/imds-role/<instance id>`).
    pub fn imds(&self) -> &ImdsServer {
        &self.imds
    }

    /// The container credentials stand-in: requires the `Authorization` value
    /// [`ContainerServer::auth_token`], and every request hands out a new session of role
    /// `container-role` (ARN `arn:aws:sts::<account>:assumed-role/container-role/<task id>`).
    pub fn container(&self) -> &ContainerServer {
        &self.container
    }

    /// The IAM Identity Center portal stand-in: grants role [`SSO_ROLE`] in the stand-ins'
    /// account to holders of the tokens it issued, handing out sessions the STS stand-in accepts.
    pub fn sso(&self) -> &SsoPortal {
        &self.sso
    }

    /// An access token the SSO portal stand-in accepts (write it into a token file with
    /// [`crate::sso::write_token_file`]).
    pub fn sso_token(&self) -> &str {
        &self.sso_token
    }

    /// The in-process STS stand-in (identities, counters).
    pub fn sts(&self) -> &StsServer {
        &self.sts
    }

    /// The fake mongod (faults, events, counters).
    pub fn mongod(&self) -> &FakeMongod {
        &self.mongod
    }

    /// The line the `mongoawsauth-standins` binary prints. It contains the generated secrets on
    /// purpose: they are throwaway identities for tests in other languages.
    pub fn to_json(&self) -> serde_json::Value {
        let id = |i: &Identity| {
            let mut v = serde_json::json!({
                "arn": i.arn,
                "access_key_id": i.access_key_id,
                "secret_access_key": i.secret_access_key,
            });
            if let Some(t) = &i.session_token {
                v["session_token"] = t.clone().into();
            }
            v
        };
        serde_json::json!({
            "mongod": self.mongod_addr().to_string(),
            "account_id": self.sts.identities().account_id(),
            "mongodb_uri": self.mongodb_uri(),
            "sts_url": self.sts_url(),
            "local_sts_url": self.local_sts_url(),
            "sts_host": self.mongod.sts_host(),
            "identities": { "user": id(&self.user), "temporary": id(&self.temporary) },
            "web_identity": crate::sts::web_identity_json(&self.web_identity),
            "saml": {
                "role_arn": self.saml.role_arn,
                "principal_arn": self.saml.principal_arn,
                "assertion": self.saml.assertion,
                "session_name": self.saml.session_name,
            },
            "assume_role": {
                "roles": self.chained_roles.iter().map(|r| {
                    let mut v = serde_json::json!({
                        "role_arn": r.role_arn,
                        "trusted": r.trusted,
                        "max_session_duration_s": r.max_session_duration.as_secs(),
                    });
                    if let Some(external_id) = &r.external_id {
                        v["external_id"] = external_id.clone().into();
                    }
                    v
                }).collect::<Vec<_>>(),
            },
            "imds_url": self.imds.url(),
            "container_url": self.container.full_uri(),
            "container_token": self.container.auth_token(),
            "sso": {
                "url": self.sso.url(),
                "access_token": self.sso_token,
                "account_id": self.sso.account_id(),
                "role_name": SSO_ROLE,
                "role_arn": self.sso.role_arn_of_session(SSO_ROLE),
                "region": SSO_REGION,
                "start_url": SSO_START_URL,
            },
        })
    }
}

/// The three chained roles of [`StandIns::chained_roles`].
fn chained_roles(account: &str, user: &Identity) -> Vec<AssumableRole> {
    let role = |name: &str| format!("arn:aws:iam::{account}:role/{name}");
    vec![
        AssumableRole::new(
            role("chain-a"),
            [user.arn.clone(), role("mongo-role"), role("imds-role"), role("container-role")],
        ),
        AssumableRole::new(role("chain-b"), [role("chain-a")]),
        AssumableRole::new(role("chain-c"), [role("chain-b")])
            .with_external_id(format!("ext-{}", crate::random::string_from(b"0123456789abcdef", 16))),
    ]
}

/// The IMDS and container stand-ins, issuing rotating sessions the STS stand-in accepts.
async fn start_metadata(identities: &IdentityStore) -> std::io::Result<(ImdsServer, ContainerServer)> {
    let hex = |n| crate::random::string_from(b"0123456789abcdef", n);
    let rotating = |role: &str, session: String| CredentialsMode::Rotating {
        identities: identities.clone(),
        role: role.to_owned(),
        session,
    };
    let imds =
        ImdsServer::start(ImdsConfig::new(rotating("imds-role", format!("i-{}", hex(17))), "imds-role"))
            .await?;
    let mut container = ContainerConfig::new(rotating("container-role", hex(32)));
    container.auth_token = Some(crate::random::string_from(crate::random::SECRET_ALPHABET, 48));
    let container = ContainerServer::start(container).await?;
    Ok((imds, container))
}

impl Drop for StandIns {
    fn drop(&mut self) {
        crate::sts::remove_token_file(&self.web_identity);
        if let Some(rt) = self.runtime.take() {
            // Dropping a runtime blocks, which panics inside another runtime; this does not.
            rt.shutdown_background();
        }
    }
}
