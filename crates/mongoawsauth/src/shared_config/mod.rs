//! The AWS shared config and credentials files: where they are, how they are parsed and merged,
//! which profile is selected, and what that profile says (a [`ProfileSource`] plan and its
//! region and endpoint settings). Pure: no network, and the only I/O is reading the two files
//! through an injected [`Fs`].
//!
//! Reads:
//! - files: `AWS_CONFIG_FILE` (default `~/.aws/config`), `AWS_SHARED_CREDENTIALS_FILE` (default
//!   `~/.aws/credentials`), with `~` from `HOME` (on Windows also `USERPROFILE`, then
//!   `HOMEDRIVE` + `HOMEPATH`): [`locate`];
//! - the profile: a name from the options, then `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, else
//!   `default`: [`SelectedProfile`];
//! - for endpoints: `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_STS_REGIONAL_ENDPOINTS`,
//!   `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`, `AWS_ENDPOINT_URL_STS`,
//!   `AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL`, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`:
//!   [`EndpointSettings`].
//!
//! Each module owns one concern: [`files`] (the reader), [`location`], `parse` (the line
//! grammar), [`profile_set`] (section naming rules and the merge of the two files), [`select`],
//! [`mod@resolve`] (the precedence between sources, `source_profile` chains), [`plan`] (the plan's
//! types), [`endpoints`] (region and endpoint settings).
//!
//! ```
//! use mongoawsauth::Env;
//! use mongoawsauth::shared_config::{Fs, ProfileSource, Resolution, SelectedProfile, SharedConfig, resolve};
//! let env = Env::from_vars([("HOME", "/home/u"), ("AWS_PROFILE", "dev")]);
//! let fs = Fs::from_files([
//!     ("/home/u/.aws/config", "[profile dev]\nregion = eu-west-1\n"),
//!     ("/home/u/.aws/credentials", "[dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n"),
//! ]);
//! let config = SharedConfig::load(&env, &fs)?;
//! let Resolution::Source(ProfileSource::StaticKeys(keys)) = resolve(&config, &SelectedProfile::select(&env, None))? else {
//!     panic!("expected static keys")
//! };
//! assert_eq!(keys.access_key_id.value, "AKIDEXAMPLE");
//! assert_eq!(keys.access_key_id.origin.line, 2);
//! # Ok::<(), mongoawsauth::Error>(())
//! ```

pub mod endpoints;
pub mod files;
pub mod location;
mod parse;
pub mod plan;
pub mod profile_set;
pub mod resolve;
pub mod select;
pub mod value;

pub use endpoints::{EndpointSettings, ProfileEndpoints, Setting, SettingOrigin};
pub use files::Fs;
pub use location::{FileKind, Location, locate};
pub use plan::{
    AssumeRole, CredentialProcess, CredentialSource, ProfileSource, RoleSource, Sso, StaticKeys, WebIdentity,
};
pub use profile_set::{FileStatus, Notice, Section, SharedConfig};
pub use resolve::{Resolution, resolve};
pub use select::{ProfileChoice, SelectedProfile};
pub use value::{Origin, Property, Sourced, SourcedSecret, SubProperty};
