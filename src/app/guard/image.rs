//! The set image flow before its plan: which container of the Deployment's pod
//! template (the exec flow's picker when there are several), then the image, typed
//! into a line prefilled with the one it runs (ctrl-u clears it, enter plans, esc goes
//! back to the picker or closes). A typing mistake is said under the line; the plan
//! then takes the common steps (checks, confirmation, audit).

use super::*;

/// The containers of `t`'s pod template: (name, image).
fn template_containers(s: &State, t: &Target) -> Vec<(String, String)> {
    s.contexts
        .get(t.ctx)
        .map(|c| actions::set_image::containers(&c.data, &t.namespace, &t.name))
        .unwrap_or_default()
}

/// Starts a set image on `t` (a Deployment): its container first.
pub(super) fn start(s: &mut State, t: Target) -> Vec<Effect> {
    let names: Vec<String> = template_containers(s, &t)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    if names.is_empty() {
        s.notify(
            format!("deploy/{} has no container in its pod template", t.name),
            true,
        );
        return Vec::new();
    }
    exec::pick_container(s, Then::SetImage, t, String::new(), names, 0)
}

/// The container is chosen: its image is asked for, starting from the current one.
pub(super) fn ask(s: &mut State, t: Target, container: &str) -> Vec<Effect> {
    let now = template_containers(s, &t)
        .into_iter()
        .find(|(n, _)| n == container)
        .map(|(_, i)| i)
        .unwrap_or_default();
    let f = new_flow(
        s,
        t.ctx,
        Stage::Image {
            target: t,
            container: container.to_string(),
            input: LineInput::with(&now),
            now,
            error: None,
        },
    );
    s.flow = Some(f);
    Vec::new()
}

/// Keys in the image line (`None`: not that stage).
pub(super) fn key(s: &mut State, k: &Key) -> Option<Vec<Effect>> {
    let f = s.flow.as_mut().filter(|f| !f.hidden)?;
    let Stage::Image {
        target,
        container,
        input,
        error,
        ..
    } = &mut f.stage
    else {
        return None;
    };
    match input.key(k) {
        Edit::Cancel => {
            let (t, container) = (target.clone(), container.clone());
            s.flow = None;
            // Back to the picker, on this container, when there was one.
            let names: Vec<String> = template_containers(s, &t)
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            if names.len() > 1 {
                let at = names.iter().position(|n| *n == container).unwrap_or(0);
                return Some(exec::pick_container(
                    s,
                    Then::SetImage,
                    t,
                    String::new(),
                    names,
                    at,
                ));
            }
        }
        Edit::Submit => {
            let (t, container, typed) = (target.clone(), container.clone(), input.text.clone());
            let planned = s
                .contexts
                .get(t.ctx)
                .ok_or("unknown context".to_string())
                .and_then(|c| {
                    actions::set_image::plan(
                        &c.data,
                        t.ctx,
                        &t.namespace,
                        &t.name,
                        &container,
                        &typed,
                    )
                });
            match planned {
                Ok(p) => {
                    s.flow = None;
                    return Some(begin(s, t.ctx, Ok(p)));
                }
                Err(e) => {
                    if let Some(Stage::Image { error, .. }) = s.flow.as_mut().map(|f| &mut f.stage)
                    {
                        *error = Some(e);
                    }
                }
            }
        }
        Edit::Changed => *error = None,
        Edit::Unchanged | Edit::Complete => {}
    }
    Some(Vec::new())
}
