//! `config set-profile|show|path`: profiles are written only by the tool, so the file is always
//! created owner-only, and the secret comes from stdin — never a flag, which `ps` and shell
//! history would keep.

use crate::cli::output;
use crate::config::file::{self, ConfigFile, Profile};
use crate::config::{ConnectArgs, Source};
use anyhow::Context;
use std::io::Read;

#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Create or change a profile (`--base-url URL` sets its base URL).
    SetProfile(SetProfile),
    /// Print the profiles (secrets masked).
    Show,
    /// Print the config file's path.
    Path,
}

#[derive(Debug, clap::Args)]
pub struct SetProfile {
    pub name: String,
    #[arg(long)]
    pub org_id: Option<String>,
    #[arg(long)]
    pub api_key: Option<String>,
    /// Read the API secret from stdin (one line), e.g. `pass m3ter | … --api-secret-stdin`.
    #[arg(long)]
    pub api_secret_stdin: bool,
    /// Make this the profile used when no --profile is given.
    #[arg(long)]
    pub default: bool,
}

/// The global connection flags: with `set-profile`, `--base-url` is stored in the profile;
/// `show` says which credentials these flags and the environment would use.
pub fn run(cmd: ConfigCommand, connect: &ConnectArgs) -> anyhow::Result<()> {
    run_inner(cmd, connect).map_err(|e| {
        if super::exit::code(&e) == 2 || super::exit::is_closed_pipe(&e) {
            e
        } else {
            crate::m3ter::Error::Config(format!("{e:#}")).into()
        }
    })
}

fn run_inner(cmd: ConfigCommand, connect: &ConnectArgs) -> anyhow::Result<()> {
    let path = file::path()?;
    match cmd {
        ConfigCommand::Path => output::print(&format!("{}\n", path.display()))?,
        ConfigCommand::Show => {
            let config = ConfigFile::load(&path)?;
            let mut out = format!("# {}\n", path.display());
            if let Some(d) = &config.default_profile {
                out += &format!("default_profile = {d:?}\n");
            }
            for (name, p) in &config.profiles {
                out += &format!("\n[profiles.{}]\n", output::clean(name));
                out += &format!("org_id = {:?}\n", p.org_id);
                out += &format!("api_key = {:?}\n", p.api_key);
                out += &format!("api_secret = {:?}\n", file::mask(&p.api_secret));
                if let Some(u) = &p.base_url {
                    out += &format!("base_url = {u:?}\n");
                }
            }
            let in_use = match Source::resolve(connect) {
                Ok(Source::Embedded) => "the embedded sandbox".to_string(),
                Ok(Source::LocalSandbox { base_url }) => {
                    format!("the sandbox's default credentials ({base_url})")
                }
                Ok(Source::Remote {
                    origin, base_url, ..
                }) => format!(
                    "{origin} ({})",
                    base_url.as_deref().unwrap_or("api.m3ter.com")
                ),
                Err(e) => format!("none: {e:#}"),
            };
            out += &format!("\n# credentials in use: {}\n", output::clean(&in_use));
            output::print(&out)?;
        }
        ConfigCommand::SetProfile(args) => {
            let mut config = ConfigFile::load(&path)?;
            let existing = config.profiles.get(&args.name).cloned();
            let mut p = existing.clone().unwrap_or_default();
            if let Some(v) = args.org_id {
                p.org_id = v;
            }
            if let Some(v) = args.api_key {
                p.api_key = v;
            }
            if let Some(v) = connect.base_url.clone() {
                p.base_url = Some(v);
            }
            if args.api_secret_stdin {
                p.api_secret = read_secret()?;
            }
            check_complete(&args.name, &p)?;
            config.profiles.insert(args.name.clone(), p);
            let first = config.default_profile.is_none();
            if args.default || first {
                config.default_profile = Some(args.name.clone());
            }
            config.save(&path)?;
            let verb = if existing.is_some() {
                "updated"
            } else {
                "saved"
            };
            let name = output::clean(&args.name);
            eprintln!("{verb} profile {name} in {}", path.display());
            if args.default {
                eprintln!("{name} is now the default profile");
            } else if first {
                eprintln!(
                    "{name} is now the default profile (there was none); another profile becomes \
                     the default with `m3ter-console config set-profile NAME --default`"
                );
            }
        }
    }
    Ok(())
}

fn read_secret() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("cannot read the API secret from stdin")?;
    let secret = s.lines().next().unwrap_or("").trim().to_string();
    if secret.is_empty() {
        return Err(super::exit::usage("--api-secret-stdin: stdin was empty"));
    }
    Ok(secret)
}

fn check_complete(name: &str, p: &Profile) -> anyhow::Result<()> {
    let missing: Vec<&str> = [
        ("--org-id", p.org_id.is_empty()),
        ("--api-key", p.api_key.is_empty()),
        ("--api-secret-stdin", p.api_secret.is_empty()),
    ]
    .into_iter()
    .filter_map(|(f, m)| m.then_some(f))
    .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(super::exit::usage(format!(
            "profile {name} needs {}",
            missing.join(", ")
        )))
    }
}
