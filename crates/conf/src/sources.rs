//! Where settings come from: a parsed [`Document`] and command-line pairs,
//! with boost program_options' precedence (docs/compat/config.md), and the
//! complete check of config text.

use crate::document::{parse_collect, Document};
use crate::error::{ConfError, Origin};
use crate::settings::{find_option, split_list, Kind, OptionSpec, Raw, Scope, Settings};
use crate::validate::Problem;

/// Adds one occurrence to `raw`, applying the one-source rules.
fn add(
    raw: &mut Raw,
    spec: &'static OptionSpec,
    value: &str,
    origin: Origin,
) -> Result<(), ConfError> {
    let given = raw.entry(spec.name).or_default();
    if spec.kind != Kind::Vector {
        if let Some(first) = given.origins.first() {
            return Err(ConfError::Repeated {
                origin,
                first: first.clone(),
                name: spec.name.to_string(),
            });
        }
    }
    given.origins.push(origin.clone());
    if spec.name == "l2-provider" {
        given
            .values
            .extend(split_list(value).map(|v| (v.to_string(), origin.clone())));
    } else {
        given.values.push((value.to_string(), origin));
    }
    Ok(())
}

fn collect(doc: Option<&Document>, cli: &[(String, String)], errors: &mut Vec<ConfError>) -> Raw {
    let mut raw = Raw::new();
    for (name, value) in cli {
        let name = name.trim_start_matches("--");
        match find_option(name) {
            Some(spec) => {
                if let Err(e) = add(&mut raw, spec, value, Origin::CommandLine) {
                    errors.push(e);
                }
            }
            None => errors.push(ConfError::UnknownOption {
                origin: Origin::CommandLine,
                name: name.to_string(),
            }),
        }
    }
    let on_cli: Vec<&'static str> = raw.keys().copied().collect();
    if let Some(doc) = doc {
        for entry in doc.entries() {
            // parse() has reported unknown and command-line-only names already.
            let Some(spec) = find_option(&entry.name).filter(|s| s.scope == Scope::Anywhere) else {
                continue;
            };
            if on_cli.contains(&spec.name) {
                continue;
            }
            if let Err(e) = add(&mut raw, spec, &entry.value, entry.origin(doc)) {
                errors.push(e);
            }
        }
    }
    raw
}

impl Settings {
    /// Settings from a parsed file (if any) and command-line `(name, value)` pairs.
    ///
    /// Names may carry a leading `--`. A flag given without a value on the command
    /// line is passed with an empty value (true). An option present on the command
    /// line makes the file's lines for it ignored (vectors are replaced, not merged),
    /// as boost program_options does (docs/compat/config.md). Fails with the first error: an
    /// unknown command-line option, a repeated single-valued option, a bad value.
    pub fn from_sources(
        file: Option<&Document>,
        cli: &[(String, String)],
    ) -> Result<Settings, ConfError> {
        let mut errors = Vec::new();
        let settings = Settings::from_sources_collect(file, cli, &mut errors);
        match errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(settings),
        }
    }

    /// Like [`Settings::from_sources`], but pushes every error to `errors` and returns
    /// settings in which each faulty option keeps its default.
    pub fn from_sources_collect(
        file: Option<&Document>,
        cli: &[(String, String)],
        errors: &mut Vec<ConfError>,
    ) -> Settings {
        let raw = collect(file, cli, errors);
        Settings::build(raw, errors)
    }
}

/// Reads config text completely, as `oxen-sn-config validate` does: every parse error,
/// every settings error, and the validation problems of the resulting settings.
pub fn check_text(
    text: &str,
    source_name: &str,
    cli: &[(String, String)],
) -> (Vec<ConfError>, Vec<Problem>) {
    let (doc, mut errors) = parse_collect(text, source_name);
    let settings = Settings::from_sources_collect(Some(&doc), cli, &mut errors);
    (errors, settings.validate())
}
