//! ComplyCube list conventions: `page`/`pageSize`, `created*`/`updated*`
//! bounds, dotted equality filters and the `{page, pageSize, totalItems,
//! pages, items}` envelope.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::error::ApiError;
use crate::ids::{Millis, parse_time};

/// Parsed list query parameters.
#[derive(Debug, Clone)]
pub(crate) struct ListQuery {
    pub(crate) page: usize,
    pub(crate) page_size: usize,
    pub(crate) created_after: Option<Millis>,
    pub(crate) created_before: Option<Millis>,
    pub(crate) updated_after: Option<Millis>,
    pub(crate) updated_before: Option<Millis>,
    /// Every other parameter: an equality filter on a (dotted) attribute.
    pub(crate) filters: Vec<(String, String)>,
    /// A filter that can never match (bad date): ComplyCube answers an empty page.
    pub(crate) impossible: bool,
}

impl ListQuery {
    pub(crate) fn parse(raw: &HashMap<String, String>) -> Result<Self, ApiError> {
        let page = match raw.get("page") {
            None => 1,
            Some(v) => v.parse::<usize>().ok().filter(|p| *p >= 1).ok_or_else(|| {
                ApiError::invalid(
                    "page",
                    "'page' must be an integer greater than or equal to 1",
                )
            })?,
        };
        let page_size = match raw.get("pageSize") {
            None => 100,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|p| (1..=1000).contains(p))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "pageSize",
                        "'pageSize' must be an integer between 1 and 1000",
                    )
                })?,
        };
        let mut q = ListQuery {
            page,
            page_size,
            created_after: None,
            created_before: None,
            updated_after: None,
            updated_before: None,
            filters: Vec::new(),
            impossible: false,
        };
        let mut keys: Vec<&String> = raw.keys().collect();
        keys.sort();
        for k in keys {
            let v = &raw[k];
            let bound = match k.as_str() {
                "page" | "pageSize" => continue,
                "createdAfter" => &mut q.created_after,
                "createdBefore" => &mut q.created_before,
                "updatedAfter" => &mut q.updated_after,
                "updatedBefore" => &mut q.updated_before,
                _ => {
                    q.filters.push((k.clone(), v.clone()));
                    continue;
                }
            };
            match parse_time(v) {
                Some(t) => *bound = Some(t),
                None => q.impossible = true,
            }
        }
        Ok(q)
    }

    /// Whether the time bounds admit a record.
    pub(crate) fn in_time(&self, created: Millis, updated: Millis) -> bool {
        self.created_after.is_none_or(|t| created > t)
            && self.created_before.is_none_or(|t| created < t)
            && self.updated_after.is_none_or(|t| updated > t)
            && self.updated_before.is_none_or(|t| updated < t)
    }

    /// Removes and returns a filter parameter handled specially (e.g. `clientId`).
    pub(crate) fn take(&mut self, key: &str) -> Option<String> {
        let i = self.filters.iter().position(|(k, _)| k == key)?;
        Some(self.filters.remove(i).1)
    }

    pub(crate) fn has_conditions(&self) -> bool {
        self.impossible
            || !self.filters.is_empty()
            || self.created_after.is_some()
            || self.created_before.is_some()
            || self.updated_after.is_some()
            || self.updated_before.is_some()
    }
}

/// Equality on a dotted path of a rendered resource. Arrays match when any
/// element equals the value (webhook `events=check.completed`).
pub(crate) fn json_matches(v: &Value, path: &str, want: &str) -> bool {
    let mut cur = v;
    for seg in path.split('.') {
        match cur.get(seg) {
            Some(next) => cur = next,
            None => return false,
        }
    }
    scalar_eq(cur, want)
}

fn scalar_eq(v: &Value, want: &str) -> bool {
    match v {
        Value::String(s) => s == want,
        Value::Bool(b) => want == if *b { "true" } else { "false" },
        Value::Number(n) => n.to_string() == want,
        Value::Array(items) => items.iter().any(|i| scalar_eq(i, want)),
        _ => false,
    }
}

/// The list envelope.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListResponse<T: Serialize> {
    pub(crate) page: usize,
    pub(crate) page_size: usize,
    pub(crate) total_items: usize,
    pub(crate) pages: usize,
    pub(crate) items: Vec<T>,
}

impl<T: Serialize> ListResponse<T> {
    pub(crate) fn new(q: &ListQuery, total: usize, items: Vec<T>) -> Self {
        ListResponse {
            page: q.page,
            page_size: q.page_size,
            total_items: total,
            pages: total.div_ceil(q.page_size),
            items,
        }
    }
}
