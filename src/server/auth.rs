//! The bearer token check: the presented token's SHA-256 digest compared with the configured
//! one's in constant time, so neither the timing nor the length of a wrong token tells anything.

use axum::http::HeaderValue;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The API token, kept only as its digest so it cannot reach a log or a debug print.
#[derive(Clone)]
pub struct ApiToken {
    digest: [u8; 32],
}

impl ApiToken {
    pub fn new(token: &str) -> ApiToken {
        ApiToken {
            digest: Sha256::digest(token.as_bytes()).into(),
        }
    }

    /// Whether `authorization` is `Bearer <the token>`.
    pub fn accepts(&self, authorization: Option<&HeaderValue>) -> bool {
        authorization
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| self.accepts_str(value))
    }

    /// Whether `authorization` (a header or gRPC metadata value) is `Bearer <the token>`.
    pub fn accepts_str(&self, authorization: &str) -> bool {
        let Some(presented) = bearer(authorization) else {
            return false;
        };
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&self.digest).into()
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(..)")
    }
}

/// The credentials of a `Bearer` authorization (the scheme is case-insensitive).
fn bearer(authorization: &str) -> Option<&str> {
    let (scheme, credentials) = authorization.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credentials.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_the_exact_bearer_token() {
        let token = ApiToken::new("s3cret");
        assert!(token.accepts_str("Bearer s3cret"));
        assert!(token.accepts_str("bearer s3cret"));
        assert!(!token.accepts_str("Bearer s3cre"));
        assert!(!token.accepts_str("Bearer s3cret2"));
        assert!(!token.accepts_str("Basic s3cret"));
        assert!(!token.accepts_str("s3cret"));
        assert!(!token.accepts(None));
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        assert_eq!(format!("{:?}", ApiToken::new("s3cret")), "ApiToken(..)");
    }
}
