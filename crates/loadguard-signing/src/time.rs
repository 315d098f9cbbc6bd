//! UTC times as timestamps and the trusted root write them: the text is
//! split here, the calendar is `der::DateTime`'s.

/// Seconds since the epoch for a UTC date and time, validated as a
/// calendar date by `der::DateTime` (no 31 April, 29 February only in leap
/// years; seconds 0-59).
fn unix_time(year: i64, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<u64> {
    let narrow = |v: u32| u8::try_from(v).ok();
    der::DateTime::new(
        u16::try_from(year).ok()?,
        narrow(month)?,
        narrow(day)?,
        narrow(h)?,
        narrow(m)?,
        narrow(s)?,
    )
    .ok()
    .map(|t| t.unix_duration().as_secs())
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
    der::DateTime::from_unix_duration(std::time::Duration::from_secs(t))
        .map_or_else(|_| format!("{t} (seconds since 1970)"), |d| d.to_string())
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
        // Calendar dates only.
        assert_eq!(rfc3339("2025-04-31T00:00:00Z"), None);
        assert_eq!(rfc3339("2025-02-29T00:00:00Z"), None);
        assert_eq!(rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        assert_eq!(generalized_time(b"20250631000000Z"), None);
    }
}
