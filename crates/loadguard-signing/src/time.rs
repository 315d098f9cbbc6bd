//! UTC times as certificates, timestamps and the trusted root write them.

/// Seconds since the epoch for a proleptic Gregorian date and time (UTC).
fn unix_time(year: i64, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<u64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + i64::from(h * 3600 + m * 60 + s);
    u64::try_from(secs).ok()
}

fn digits(s: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let part = s.get(range)?;
    part.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| part.parse().ok())?
}

/// `YYYYMMDDHHMMSS[.fff]Z` (RFC 3161 genTime; fractions are dropped).
pub(crate) fn generalized_time(value: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(value).ok()?;
    let body = s.strip_suffix('Z')?;
    let whole = body.split('.').next()?;
    if whole.len() != 14 {
        return None;
    }
    unix_time(
        i64::from(digits(whole, 0..4)?),
        digits(whole, 4..6)?,
        digits(whole, 6..8)?,
        digits(whole, 8..10)?,
        digits(whole, 10..12)?,
        digits(whole, 12..14)?,
    )
}

/// RFC 3339 UTC timestamps as the trusted root writes them
/// (`2021-01-12T11:53:27Z`, `2022-12-31T23:59:59.999Z`).
pub(crate) fn rfc3339(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    // Same fields as a GeneralizedTime once the separators are gone.
    let compact = [
        &s[0..4],
        &s[5..7],
        &s[8..10],
        &s[11..13],
        &s[14..16],
        &s[17..],
    ]
    .concat();
    generalized_time(compact.as_bytes())
}

/// `2025-10-10T02:12:20Z`, for messages.
pub(crate) fn format_unix(t: u64) -> String {
    let days = i64::try_from(t / 86_400).unwrap_or(i64::MAX / 2);
    let secs = t % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_times() {
        assert_eq!(generalized_time(b"19700101000000Z"), Some(0));
        assert_eq!(generalized_time(b"20251010021220Z"), Some(1_760_062_340));
        assert_eq!(
            generalized_time(b"20251010021220.123Z"),
            Some(1_760_062_340)
        );
        assert_eq!(generalized_time(b"20251010021220"), None);
        assert_eq!(generalized_time(b"2025101002122xZ"), None);
        assert_eq!(rfc3339("2021-01-12T11:53:27Z"), Some(1_610_452_407));
        assert_eq!(rfc3339("2022-12-31T23:59:59.999Z"), Some(1_672_531_199));
        assert_eq!(rfc3339("2022-12-31 23:59:59Z"), None);
        assert_eq!(rfc3339("2022-12-31T23:59:59+01:00"), None);
        for t in [0, 951_782_400, 1_610_452_407, 1_760_062_340, 4_102_444_800] {
            assert_eq!(rfc3339(&format_unix(t)), Some(t));
        }
        assert_eq!(format_unix(1_760_062_340), "2025-10-10T02:12:20Z");
    }
}
