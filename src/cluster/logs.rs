//! Log streams: follows one container of one pod and sends each line (sanitised and
//! bounded) to the app until the stream ends, fails, or is cancelled.

use std::sync::Arc;

use futures::{AsyncBufReadExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::msg::Msg;

/// Longest log line kept (longer lines are cut and marked).
pub const LINE_MAX: usize = 2000;

/// What to ask the server for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub tail: i64,
    pub previous: bool,
    /// Only lines newer than this many seconds (instead of the tail).
    pub since: Option<i64>,
    /// The server's RFC 3339 timestamp before each line.
    pub timestamps: bool,
}

#[allow(clippy::too_many_arguments)]
pub async fn follow<E: From<Msg> + Send + 'static>(
    client: kube::Client,
    namespace: String,
    pod: Arc<str>,
    container: String,
    o: Options,
    stream: u64,
    tx: Sender<E>,
    cancel: CancellationToken,
) {
    let api: Api<Pod> = Api::namespaced(client, &namespace);
    let params = LogParams {
        container: Some(container.clone()),
        follow: !o.previous,
        previous: o.previous,
        tail_lines: if o.since.is_some() {
            None
        } else {
            Some(o.tail)
        },
        since_seconds: o.since,
        timestamps: o.timestamps,
        ..LogParams::default()
    };
    let reader = match api.log_stream(&pod, &params).await {
        Ok(r) => r,
        Err(e) => {
            let _ = tx
                .send(
                    Msg::LogEnded {
                        stream,
                        pod,
                        error: Some(crate::util::sanitize::line(
                            &super::watch::short_error(&e),
                            300,
                        )),
                    }
                    .into(),
                )
                .await;
            return;
        }
    };
    let mut lines = reader.lines();
    let container: Box<str> = Box::from(container.as_str());
    loop {
        let next = tokio::select! {
            _ = cancel.cancelled() => return,
            l = lines.try_next() => l,
        };
        match next {
            Ok(Some(line)) => {
                let line = crate::util::sanitize::line(&line, LINE_MAX);
                if tx
                    .send(
                        Msg::Log {
                            stream,
                            pod: pod.clone(),
                            container: container.clone(),
                            line,
                        }
                        .into(),
                    )
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Ok(None) => {
                let _ = tx
                    .send(
                        Msg::LogEnded {
                            stream,
                            pod,
                            error: None,
                        }
                        .into(),
                    )
                    .await;
                return;
            }
            Err(e) => {
                let _ = tx
                    .send(
                        Msg::LogEnded {
                            stream,
                            pod,
                            error: Some(crate::util::sanitize::line(&e.to_string(), 300)),
                        }
                        .into(),
                    )
                    .await;
                return;
            }
        }
    }
}
