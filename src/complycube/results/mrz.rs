//! A passport's machine-readable zone (ICAO 9303 TD3: two lines of 44
//! characters with check digits), so a document check's
//! `extractedData.mrz` reads like the real sandbox's capture.

/// ICAO codes of the countries the sandbox can print an MRZ for; others get
/// no `mrz` lines.
const ALPHA3: &[(&str, &str)] = &[
    ("AE", "ARE"),
    ("AR", "ARG"),
    ("AT", "AUT"),
    ("AU", "AUS"),
    ("BE", "BEL"),
    ("BR", "BRA"),
    ("CA", "CAN"),
    ("CH", "CHE"),
    ("CL", "CHL"),
    ("CN", "CHN"),
    ("CZ", "CZE"),
    ("DE", "D<<"),
    ("DK", "DNK"),
    ("ES", "ESP"),
    ("FI", "FIN"),
    ("FR", "FRA"),
    ("GB", "GBR"),
    ("GR", "GRC"),
    ("HK", "HKG"),
    ("HU", "HUN"),
    ("IE", "IRL"),
    ("IN", "IND"),
    ("IT", "ITA"),
    ("JP", "JPN"),
    ("KE", "KEN"),
    ("MX", "MEX"),
    ("NG", "NGA"),
    ("NL", "NLD"),
    ("NO", "NOR"),
    ("NZ", "NZL"),
    ("PL", "POL"),
    ("PT", "PRT"),
    ("RO", "ROU"),
    ("SE", "SWE"),
    ("SG", "SGP"),
    ("TR", "TUR"),
    ("UA", "UKR"),
    ("US", "USA"),
    ("ZA", "ZAF"),
];

pub(super) fn alpha3(alpha2: &str) -> Option<&'static str> {
    ALPHA3.iter().find(|(a, _)| *a == alpha2).map(|(_, b)| *b)
}

/// What a TD3 MRZ encodes.
pub(super) struct Td3<'a> {
    pub(super) issuer: &'a str,
    pub(super) last_name: &'a str,
    pub(super) first_name: &'a str,
    pub(super) number: &'a str,
    pub(super) nationality: &'a str,
    /// `YYMMDD`.
    pub(super) dob: &'a str,
    pub(super) gender: Option<&'a str>,
    /// `YYMMDD`.
    pub(super) expiry: &'a str,
    pub(super) personal_number: &'a str,
}

/// Uppercase, with every character outside `A-Z0-9` as the filler `<`.
fn clean(s: &str) -> String {
    s.to_uppercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '<' })
        .collect()
}

/// `s` cleaned, cut or padded with `<` to `len`.
fn field(s: &str, len: usize) -> String {
    let mut out: String = clean(s).chars().take(len).collect();
    while out.len() < len {
        out.push('<');
    }
    out
}

fn check_digit(s: &str) -> char {
    let sum: u32 = s
        .chars()
        .zip([7, 3, 1].iter().cycle())
        .map(|(c, w)| {
            let v = match c {
                '0'..='9' => c as u32 - '0' as u32,
                'A'..='Z' => c as u32 - 'A' as u32 + 10,
                _ => 0,
            };
            v * w
        })
        .sum();
    char::from_digit(sum % 10, 10).unwrap_or('0')
}

/// `(line1, line2)`.
pub(super) fn td3(m: &Td3<'_>) -> (String, String) {
    let names = format!("{}<<{}", clean(m.last_name), clean(m.first_name));
    let line1 = format!("P<{}{}", m.issuer, field(&names, 39));
    let number = field(m.number, 9);
    let personal = field(m.personal_number, 14);
    let sex = match m.gender {
        Some("male") => 'M',
        Some("female") => 'F',
        _ => '<',
    };
    let n = format!("{number}{}", check_digit(&number));
    let d = format!("{}{}", m.dob, check_digit(m.dob));
    let e = format!("{}{}", m.expiry, check_digit(m.expiry));
    let p = format!("{personal}{}", check_digit(&personal));
    let composite = check_digit(&format!("{n}{d}{e}{p}"));
    let line2 = format!("{n}{}{d}{sex}{e}{p}{composite}", m.nationality);
    (line1, line2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_specimen_check_digits() {
        // ICAO 9303 part 4 specimen: L898902C3, 740812, 120415, ZE184226B.
        assert_eq!(check_digit("L898902C3"), '6');
        assert_eq!(check_digit("740812"), '2');
        assert_eq!(check_digit("120415"), '9');
        assert_eq!(check_digit("ZE184226B<<<<<"), '1');
    }

    #[test]
    fn lines_are_44_characters() {
        let (l1, l2) = td3(&Td3 {
            issuer: "GBR",
            last_name: "Doe",
            first_name: "John Paul",
            number: "123456789",
            nationality: "GBR",
            dob: "951010",
            gender: Some("male"),
            expiry: "300101",
            personal_number: "938568",
        });
        assert_eq!((l1.len(), l2.len()), (44, 44), "{l1}\n{l2}");
        assert!(l1.starts_with("P<GBRDOE<<JOHN<PAUL<<"), "{l1}");
        assert!(l2.starts_with("1234567897GBR9510102M3001"), "{l2}");
    }

    #[test]
    fn icao_specimen_line_two() {
        let (_, l2) = td3(&Td3 {
            issuer: "UTO",
            last_name: "Eriksson",
            first_name: "Anna Maria",
            number: "L898902C3",
            nationality: "UTO",
            dob: "740812",
            gender: Some("female"),
            expiry: "120415",
            personal_number: "ZE184226B",
        });
        assert_eq!(l2, "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    }
}
