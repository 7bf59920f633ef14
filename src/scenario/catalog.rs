//! The loaded fixtures: an immutable, ordered catalog swapped whole on reload.

use std::collections::HashMap;
use std::sync::Arc;

use super::model::Scenario;
use super::suggest::suggest;

/// Scenarios in catalog order, with a case-insensitive name index.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub(crate) scenarios: Vec<Arc<Scenario>>,
    by_name: HashMap<String, usize>,
}

impl Catalog {
    /// An ordered catalog; names are unique ignoring ASCII case.
    pub(crate) fn new(scenarios: Vec<Scenario>) -> Result<Self, String> {
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut list: Vec<Arc<Scenario>> = Vec::with_capacity(scenarios.len());
        for (i, s) in scenarios.into_iter().enumerate() {
            if let Some(&first) = by_name.get(&s.name.to_ascii_lowercase()) {
                let where_ =
                    |f: &Option<String>| f.clone().unwrap_or_else(|| "the admin API".into());
                return Err(format!(
                    "{}: scenario name '{}' is already defined in {}",
                    where_(&s.file),
                    s.name,
                    where_(&list[first].file)
                ));
            }
            by_name.insert(s.name.to_ascii_lowercase(), i);
            list.push(Arc::new(s));
        }
        Ok(Catalog {
            scenarios: list,
            by_name,
        })
    }

    /// Looks a scenario up by name, ignoring ASCII case.
    pub(crate) fn get(&self, name: &str) -> Option<&Arc<Scenario>> {
        self.by_name
            .get(&name.to_ascii_lowercase())
            .map(|&i| &self.scenarios[i])
    }

    /// Close catalog names for a name that does not exist.
    pub(crate) fn suggest(&self, name: &str) -> Vec<String> {
        suggest(name, self.scenarios.iter().map(|s| s.name.as_str()))
    }
}
