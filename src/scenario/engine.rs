//! The engine: the catalog of fixture scenarios and each tenant's armed ones.
//!
//! Four layers decide, first hit wins:
//! 1. a scenario an admin armed for the tenant (optionally for the next N matching requests);
//! 2. the `X-Sandbox-Scenario: <name>` request header;
//! 3. fixture match rules, in catalog order (file name, then position in the file);
//! 4. the default: no effect, which every vendor renders as clear / pass.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, RwLock};

use serde::Serialize;

use super::catalog::Catalog;
use super::compile::compile;
use super::matching::Request;
use super::model::{DEFAULT_NAME, Effect, SCENARIO_HEADER, Scenario};
use super::vocabulary::Vocabulary;

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

/// A scenario armed for one tenant.
#[derive(Debug, Clone)]
struct Armed {
    scenario: Arc<Scenario>,
    /// Uses left; `None`: until removed.
    remaining: Option<u32>,
}

/// Holds the vendors' vocabularies, the fixture catalog and per-tenant armed scenarios.
pub(crate) struct Engine {
    vocabularies: Vec<&'static Vocabulary>,
    catalog: RwLock<Arc<Catalog>>,
    armed: Mutex<HashMap<String, Vec<Armed>>>,
}

impl Engine {
    pub(crate) fn new(vocabularies: Vec<&'static Vocabulary>, catalog: Catalog) -> Self {
        Engine {
            vocabularies,
            catalog: RwLock::new(Arc::new(catalog)),
            armed: Mutex::default(),
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Armed>>> {
        self.armed.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Arms a compiled `scenario` for `tenant`, for the next `times` matching
    /// requests or until removed.
    pub(crate) fn arm(&self, tenant: &str, scenario: Scenario, times: Option<u32>) {
        let mut armed = self.lock();
        let list = armed.entry(tenant.to_owned()).or_default();
        list.retain(|a| !a.scenario.name.eq_ignore_ascii_case(&scenario.name));
        list.push(Armed {
            scenario: Arc::new(scenario),
            remaining: times,
        });
    }

    /// Removes an armed scenario; `false` when none by that name was armed.
    pub(crate) fn disarm(&self, tenant: &str, name: &str) -> bool {
        let mut armed = self.lock();
        let Some(list) = armed.get_mut(tenant) else {
            return false;
        };
        let before = list.len();
        list.retain(|a| !a.scenario.name.eq_ignore_ascii_case(name));
        let removed = before != list.len();
        if list.is_empty() {
            armed.remove(tenant);
        }
        removed
    }

    /// The tenant's armed scenarios with their remaining uses.
    pub(crate) fn armed(&self, tenant: &str) -> Vec<(Arc<Scenario>, Option<u32>)> {
        self.lock()
            .get(tenant)
            .map(|l| {
                l.iter()
                    .map(|a| (a.scenario.clone(), a.remaining))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Tenants with armed scenarios, and how many each.
    pub(crate) fn armed_census(&self) -> Vec<(String, usize)> {
        self.lock()
            .iter()
            .map(|(t, l)| (t.clone(), l.len()))
            .collect()
    }

    pub(crate) fn reset(&self, tenant: &str) {
        self.lock().remove(tenant);
    }

    pub(crate) fn reset_all(&self) {
        self.lock().clear();
    }

    /// Picks the scenario for a request. Armed scenarios apply to requests
    /// their own match rules accept (no rules: every request of any vendor)
    /// and count down their uses.
    pub(crate) fn select(
        &self,
        tenant: &str,
        req: &Request<'_>,
    ) -> Result<Selected, UnknownScenario> {
        {
            let mut armed = self.lock();
            if let Some(list) = armed.get_mut(tenant) {
                if let Some(i) = list.iter().position(|a| a.scenario.applies_to(req)) {
                    let scenario = list[i].scenario.clone();
                    if let Some(n) = list[i].remaining.as_mut() {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            list.remove(i);
                            if list.is_empty() {
                                armed.remove(tenant);
                            }
                        }
                    }
                    return Ok(Selected {
                        scenario: Some(scenario),
                        source: Source::Armed,
                    });
                }
            }
        }
        let catalog = self.catalog();
        let named = req
            .headers
            .get(SCENARIO_HEADER)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
            .filter(|n| !n.is_empty());
        if let Some(name) = named {
            if name.eq_ignore_ascii_case(DEFAULT_NAME) {
                return Ok(Selected {
                    scenario: None,
                    source: Source::Header,
                });
            }
            return match catalog.get(&name) {
                Some(s) => Ok(Selected {
                    scenario: Some(s.clone()),
                    source: Source::Header,
                }),
                None => Err(UnknownScenario {
                    suggestions: catalog.suggest(&name),
                    name,
                }),
            };
        }
        Ok(catalog.scenarios.iter().find(|s| s.matches(req)).map_or(
            Selected {
                scenario: None,
                source: Source::Default,
            },
            |s| Selected {
                scenario: Some(s.clone()),
                source: Source::Fixture,
            },
        ))
    }
}
