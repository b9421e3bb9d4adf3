//! The counters `/metrics` shows in the Prometheus text format: requests by route and status,
//! migrations applied and failed, and how long applies take.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the apply-duration histogram's buckets.
const DURATION_BUCKETS: [f64; 10] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0];

#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    /// (protocol, method, route, status) → count.
    requests: BTreeMap<(String, String, String, String), u64>,
    applied: u64,
    failed: u64,
    /// Per bucket of [`DURATION_BUCKETS`]: applies that took at most its bound.
    duration_buckets: [u64; DURATION_BUCKETS.len()],
    duration_count: u64,
    duration_sum: f64,
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Counters) -> T) -> T {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// One answered request; `route` is the route pattern (or gRPC method), never the raw path.
    pub fn request(&self, protocol: &str, method: &str, route: &str, status: &str) {
        self.with(|c| {
            *c.requests
                .entry((protocol.into(), method.into(), route.into(), status.into()))
                .or_default() += 1;
        });
    }

    /// One apply run: how many migrations it applied, whether one failed, how long it took.
    pub fn apply_run(&self, applied: usize, failed: bool, took: Duration) {
        let seconds = took.as_secs_f64();
        self.with(|c| {
            c.applied += applied as u64;
            c.failed += u64::from(failed);
            for (bucket, bound) in c.duration_buckets.iter_mut().zip(DURATION_BUCKETS) {
                if seconds <= bound {
                    *bucket += 1;
                }
            }
            c.duration_count += 1;
            c.duration_sum += seconds;
        });
    }

    /// Everything in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.with(|c| {
            let mut text = String::new();
            text.push_str("# HELP bfm_requests_total Requests answered, by protocol, method, route and status.\n");
            text.push_str("# TYPE bfm_requests_total counter\n");
            for ((protocol, method, route, status), count) in &c.requests {
                let _ = writeln!(
                    text,
                    "bfm_requests_total{{protocol=\"{}\",method=\"{}\",route=\"{}\",status=\"{}\"}} {count}",
                    escape(protocol),
                    escape(method),
                    escape(route),
                    escape(status)
                );
            }
            text.push_str("# HELP bfm_migrations_applied_total Migrations applied.\n");
            text.push_str("# TYPE bfm_migrations_applied_total counter\n");
            let _ = writeln!(text, "bfm_migrations_applied_total {}", c.applied);
            text.push_str("# HELP bfm_migrations_failed_total Migrations that failed.\n");
            text.push_str("# TYPE bfm_migrations_failed_total counter\n");
            let _ = writeln!(text, "bfm_migrations_failed_total {}", c.failed);
            text.push_str("# HELP bfm_apply_duration_seconds How long apply runs took.\n");
            text.push_str("# TYPE bfm_apply_duration_seconds histogram\n");
            for (count, bound) in c.duration_buckets.iter().zip(DURATION_BUCKETS) {
                let _ = writeln!(
                    text,
                    "bfm_apply_duration_seconds_bucket{{le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                text,
                "bfm_apply_duration_seconds_bucket{{le=\"+Inf\"}} {}",
                c.duration_count
            );
            let _ = writeln!(text, "bfm_apply_duration_seconds_sum {}", c.duration_sum);
            let _ = writeln!(text, "bfm_apply_duration_seconds_count {}", c.duration_count);
            text
        })
    }
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_a_cumulative_histogram() {
        let metrics = Metrics::default();
        metrics.request("http", "POST", "/api/v1/migrate", "200");
        metrics.request("http", "POST", "/api/v1/migrate", "200");
        metrics.apply_run(2, false, Duration::from_millis(30));
        metrics.apply_run(0, true, Duration::from_secs(3));
        let text = metrics.render();
        assert!(text.contains(
            "bfm_requests_total{protocol=\"http\",method=\"POST\",route=\"/api/v1/migrate\",status=\"200\"} 2"
        ));
        assert!(text.contains("bfm_migrations_applied_total 2\n"));
        assert!(text.contains("bfm_migrations_failed_total 1\n"));
        assert!(text.contains("bfm_apply_duration_seconds_bucket{le=\"0.05\"} 1\n"));
        assert!(text.contains("bfm_apply_duration_seconds_bucket{le=\"5\"} 2\n"));
        assert!(text.contains("bfm_apply_duration_seconds_count 2\n"));
    }
}
