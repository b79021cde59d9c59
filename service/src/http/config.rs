//! The HTTP adapter's limits.

/// HTTP-level limits.
#[derive(Debug, Clone, Copy)]
pub struct HttpConfig {
    pub request_body_bytes_max: usize,
    /// Seconds a client is told to wait (`Retry-After`) on 409 and 503.
    pub retry_after_s: u32,
    /// How long a key answers replays (reported by `GET /v1/idempotency-keys/{key}`;
    /// enforced by the key reaper).
    pub key_ttl: std::time::Duration,
    /// Upper bound on handling one request; past it the client gets 503 +
    /// `Retry-After` (`request_timeout`) and the request's transaction, if
    /// any, is rolled back with the dropped future.
    pub request_timeout: std::time::Duration,
    /// Deepest nesting of arrays and objects a JSON body may have; checked
    /// on the raw bytes before any parsing.
    pub json_depth_max: usize,
    /// `/readyz` answers 503 while the database written to has no
    /// synchronous standby (otherwise it only says so).
    pub require_synchronous_standby: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            request_body_bytes_max: 64 * 1024,
            retry_after_s: 1,
            key_ttl: std::time::Duration::from_secs(24 * 3600),
            request_timeout: std::time::Duration::from_secs(30),
            json_depth_max: 16,
            require_synchronous_standby: false,
        }
    }
}
