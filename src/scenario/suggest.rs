//! "Did you mean": close names for a scenario name that does not exist.

/// Up to three names within a small edit distance, or containing the input.
pub(crate) fn suggest<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|n| {
            let d = levenshtein(&lower, &n.to_ascii_lowercase());
            let close = d <= 3.max(lower.len() / 3)
                || (lower.len() >= 3 && n.to_ascii_lowercase().contains(&lower));
            close.then_some((d, n))
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_owned())
        .collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_best_first_and_at_most_three() {
        let names = [
            "document-expired",
            "document-specimen",
            "document-tampered",
            "document-blacklisted",
            "attention",
        ];
        let got = suggest("document", names.iter().copied());
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|n| n.starts_with("document-")));
        assert_eq!(
            suggest("atention", names.iter().copied()),
            vec!["attention"]
        );
    }
}
