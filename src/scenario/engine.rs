//! The engine: the catalog of fixture scenarios and each tenant's armed ones.
//!
//! Four layers decide, first hit wins:
//! 1. a scenario an admin armed for the tenant (optionally for the next N matching requests);
//! 2. the `X-Sandbox-Scenario: <name>` request header;
//! 3. fixture match rules, in catalog order (file name, then position in the file);
//! 4. the default: no effect, which every vendor renders as clear / pass.

use std::sync::{Arc, LazyLock, RwLock};

use serde::Serialize;

use super::armed::ArmedSet;
use super::catalog::Catalog;
use super::compile::compile;
use super::matching::Request;
use super::model::{DEFAULT_NAME, Effect, SCENARIO_HEADER, Scenario};
use super::vocabulary::Vocabulary;
use crate::persist::{Ack, Durable};

/// The engine's answer for one request.
#[derive(Debug, Clone)]
pub(crate) struct Selected {
    /// `None` for the default.
    pub(crate) scenario: Option<Arc<Scenario>>,
    /// Which layer chose it.
    pub(crate) source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Source {
    Armed,
    Header,
    Fixture,
    Default,
}

impl Source {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Source::Armed => "armed",
            Source::Header => "header",
            Source::Fixture => "fixture",
            Source::Default => "default",
        }
    }
}

static NO_EFFECT: LazyLock<Effect> = LazyLock::new(Effect::default);

impl Selected {
    pub(crate) fn effect(&self) -> &Effect {
        self.scenario.as_ref().map_or(&NO_EFFECT, |s| &s.effect)
    }

    /// The name the journal records: the scenario's, or `default`.
    #[cfg(test)]
    pub(crate) fn name(&self) -> &str {
        self.scenario
            .as_ref()
            .map_or(DEFAULT_NAME, |s| s.name.as_str())
    }
}

/// The header named a scenario that does not exist.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UnknownScenario {
    pub(crate) name: String,
    /// Close names, best first.
    pub(crate) suggestions: Vec<String>,
}

impl UnknownScenario {
    pub(crate) fn message(&self) -> String {
        if self.suggestions.is_empty() {
            format!(
                "Unknown sandbox scenario '{}' in the X-Sandbox-Scenario header; GET /__admin/scenarios lists them",
                self.name
            )
        } else {
            format!(
                "Unknown sandbox scenario '{}' in the X-Sandbox-Scenario header; did you mean: {}",
                self.name,
                self.suggestions.join(", ")
            )
        }
    }
}

/// Holds the vendors' vocabularies, the fixture catalog and per-tenant armed scenarios.
pub(crate) struct Engine {
    vocabularies: Vec<&'static Vocabulary>,
    catalog: RwLock<Arc<Catalog>>,
    armed: ArmedSet,
}

impl Engine {
    pub(crate) fn new(
        vocabularies: Vec<&'static Vocabulary>,
        catalog: Catalog,
        durable: Option<Arc<Durable>>,
    ) -> Self {
        Engine {
            armed: ArmedSet::new(vocabularies.clone(), durable),
            vocabularies,
            catalog: RwLock::new(Arc::new(catalog)),
        }
    }

    pub(crate) fn vocabularies(&self) -> &[&'static Vocabulary] {
        &self.vocabularies
    }

    /// Validates and compiles a scenario for this engine's vendors.
    pub(crate) fn compile(&self, s: Scenario) -> Result<Scenario, String> {
        compile(s, &self.vocabularies)
    }

    pub(crate) fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the whole catalog at once (hot reload).
    pub(crate) fn replace_catalog(&self, catalog: Catalog) {
        *self.catalog.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(catalog);
    }

    /// Every tenant's armed scenarios.
    pub(crate) fn armed_set(&self) -> &ArmedSet {
        &self.armed
    }

    /// The tenant's armed scenarios with their remaining uses.
    pub(crate) fn armed(&self, tenant: &str) -> Vec<(Arc<Scenario>, Option<u32>)> {
        self.armed.list(tenant)
    }

    /// Picks the scenario for a request. Armed scenarios apply to requests
    /// their own match rules accept (no rules: every request of any vendor)
    /// and count down their uses; the [`Ack`] is the durable record of the
    /// use consumed.
    pub(crate) fn select(
        &self,
        tenant: &str,
        req: &Request<'_>,
    ) -> Result<(Selected, Ack), UnknownScenario> {
        if let Some((scenario, ack)) = self.armed.take(tenant, req) {
            return Ok((
                Selected {
                    scenario: Some(scenario),
                    source: Source::Armed,
                },
                ack,
            ));
        }
        let catalog = self.catalog();
        let named = req
            .headers
            .get(SCENARIO_HEADER)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
            .filter(|n| !n.is_empty());
        let selected = if let Some(name) = named {
            if name.eq_ignore_ascii_case(DEFAULT_NAME) {
                Selected {
                    scenario: None,
                    source: Source::Header,
                }
            } else {
                match catalog.get(&name) {
                    Some(s) => Selected {
                        scenario: Some(s.clone()),
                        source: Source::Header,
                    },
                    None => {
                        return Err(UnknownScenario {
                            suggestions: catalog.suggest(&name),
                            name,
                        });
                    }
                }
            }
        } else {
            catalog.scenarios.iter().find(|s| s.matches(req)).map_or(
                Selected {
                    scenario: None,
                    source: Source::Default,
                },
                |s| Selected {
                    scenario: Some(s.clone()),
                    source: Source::Fixture,
                },
            )
        };
        Ok((selected, Ack::done()))
    }
}
