//! Times as the trusted root writes them (RFC 3339, read by `jiff`) and
//! as messages print them (`der::DateTime`): no date code of our own.

/// Seconds since the epoch of an RFC 3339 timestamp (`2021-01-12T11:53:27Z`,
/// `2022-12-31T23:59:59.999Z`, `2023-01-01T00:59:59+01:00`); fractions are
/// dropped, times before 1970 and non-calendar dates are refused.
pub(crate) fn rfc3339(s: &str) -> Option<u64> {
    let t: jiff::Timestamp = s.parse().ok()?;
    u64::try_from(t.as_second()).ok()
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
        assert_eq!(rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339("2021-01-12T11:53:27Z"), Some(1_610_452_407));
        assert_eq!(rfc3339("2022-12-31T23:59:59.999Z"), Some(1_672_531_199));
        assert_eq!(rfc3339("2023-01-01T00:59:59+01:00"), Some(1_672_531_199));
        assert_eq!(rfc3339("2022-12-31T23:59:59"), None, "no offset");
        assert_eq!(rfc3339("1969-12-31T23:59:59Z"), None);
        assert_eq!(rfc3339("2025-10-10T02:12:2xZ"), None);
        for t in [0, 951_782_400, 1_610_452_407, 1_760_062_340, 4_102_444_800] {
            assert_eq!(rfc3339(&format_unix(t)), Some(t));
        }
        assert_eq!(format_unix(1_760_062_340), "2025-10-10T02:12:20Z");
        // Calendar dates only.
        assert_eq!(rfc3339("2025-04-31T00:00:00Z"), None);
        assert_eq!(rfc3339("2025-02-29T00:00:00Z"), None);
        assert_eq!(rfc3339("2024-02-29T00:00:00Z"), Some(1_709_164_800));
    }
}
