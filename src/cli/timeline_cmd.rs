//! `kdeck timeline --from FILE | --last 2h [--format md|json]`: a recording replayed
//! headless through the console's step, then what it saw and what was done, as a
//! postmortem timeline (`app::record::timeline`); and `kdeck replay FILE`, the console
//! on a recording in the terminal (`ui::replay`).

use std::process::ExitCode;

use super::{ReplayArgs, TimelineArgs, TimelineFormat};
use crate::app::record::{Entry, read, replay::Replay, timeline};
use crate::config::Paths;

pub fn run(args: &TimelineArgs) -> ExitCode {
    match timeline_of(args) {
        Ok(text) => {
            use std::io::Write;
            let mut out = std::io::stdout();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kdeck timeline: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Err(e) => {
            eprintln!("kdeck timeline: {e}");
            ExitCode::from(2)
        }
    }
}

fn timeline_of(args: &TimelineArgs) -> Result<String, String> {
    let (path, since) = match (&args.from, &args.last) {
        (Some(f), _) => (f.clone(), None),
        (None, last) => {
            let span = crate::util::duration::parse(last.as_deref().unwrap_or("2h"))?;
            let since = jiff::Timestamp::now().as_millisecond() - span.as_millis() as i64;
            (Paths::resolve().state_dir.join("recordings"), Some(since))
        }
    };
    let mut rec = read::read(&path)?;
    if let Some(since) = since {
        // The console's state at the start of the span comes from everything before
        // it; only what happened inside it is listed.
        rec.entries
            .retain(|t| t.t >= since || !matches!(t.e, Entry::Action { .. }));
    }
    let header = rec.header.clone().ok_or("the recording has no header")?;
    let keymap = crate::config::keymap::Keymap::builtin("default").ok_or("no built-in keymap")?;
    let mut r = Replay::new(&rec, keymap);
    let (start, end) = r.span();
    r.seek(end);
    let from = since.unwrap_or(start) / 1000;
    let seen: Vec<_> = r
        .console
        .state
        .transitions
        .items
        .iter()
        .filter(|s| s.at >= from)
        .cloned()
        .collect();
    let done: Vec<_> = rec
        .entries
        .iter()
        .filter_map(|t| match &t.e {
            Entry::Action { record } => Some((**record).clone()),
            _ => None,
        })
        .collect();
    let tz = jiff::tz::TimeZone::get(&header.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let names: Vec<String> = header.contexts.iter().map(|c| c.name.clone()).collect();
    let mut items = timeline::items(&seen, &done, &names, &tz);
    if args.marked {
        items = timeline::marked(&items)
            .ok_or("nothing was marked in this recording (M in the console marks a span)")?;
    }
    if let Some(f) = &args.filter {
        items.retain(|i| timeline::matches(i, f));
    }
    Ok(match args.format {
        TimelineFormat::Json => {
            serde_json::to_string_pretty(&items).map_err(|e| e.to_string())? + "\n"
        }
        TimelineFormat::Md => {
            let span = |ms: i64| {
                jiff::Timestamp::from_millisecond(ms)
                    .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
                    .unwrap_or_default()
            };
            let about = format!(
                "Recorded by kdeck {} from {} to {} on {} (local time: {}){}.",
                header.kdeck,
                span(since.unwrap_or(start)),
                span(end),
                header
                    .contexts
                    .iter()
                    .map(|c| format!("{} ({})", c.name, c.server))
                    .collect::<Vec<_>>()
                    .join(", "),
                header.time_zone,
                if rec.cut {
                    "; the recording was cut short, this is up to its last complete entry"
                } else {
                    ""
                }
            );
            let mut about = about;
            if args.marked {
                about.push_str(" Only the marked spans.");
            }
            if let Some(f) = &args.filter {
                about.push_str(&format!(
                    " Only entries matching `{}`.",
                    f.replace('`', "'")
                ));
            }
            timeline::markdown(&items, "Incident timeline", &about)
        }
    })
}

/// `kdeck replay [FILE]`.
pub fn replay(args: &ReplayArgs) -> ExitCode {
    let rt = match super::runtime("kdeck replay: ") {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(replay_in_terminal(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kdeck replay: {e}");
            ExitCode::from(2)
        }
    }
}

async fn replay_in_terminal(args: &ReplayArgs) -> Result<(), String> {
    let path = args
        .file
        .clone()
        .unwrap_or_else(|| Paths::resolve().state_dir.join("recordings"));
    let rec = read::read(&path)?;
    let paths = Paths::resolve();
    let loaded =
        crate::config::load::<crate::app::command::Command>(&paths, crate::config::no_color());
    let keymap = loaded.keymap.clone();
    // The timeline's moments, for `]` and `[`: a first pass to the end.
    let mut scan = Replay::new(&rec, keymap.clone());
    let (start, end) = scan.span();
    scan.seek(end);
    let mut marks: Vec<i64> = scan
        .console
        .state
        .transitions
        .items
        .iter()
        .map(|s| s.at * 1000)
        .chain(rec.entries.iter().filter_map(|t| match &t.e {
            Entry::Action { .. } => Some(t.t),
            _ => None,
        }))
        .collect();
    marks.sort_unstable();
    marks.dedup();
    drop(scan);
    let mut player = crate::ui::replay::Player {
        replay: Replay::new(&rec, keymap),
        playing: args.at.is_none(),
        speed: args.speed.clamp(1, 60),
        marks,
        cut: rec.cut,
        prompt: None,
        error: None,
    };
    if let Some(at) = &args.at {
        player.seek(crate::app::record::replay::parse_at(at, start)?.clamp(start, end));
    }
    let mut signals = crate::util::signals::Signals::install()
        .map_err(|e| format!("cannot watch for signals: {e}"))?;
    let mut guard = crate::ui::terminal::Guard::enter(loaded.theme.named_only())
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    crate::ui::replay::run(
        &mut guard.terminal,
        &mut player,
        &loaded.theme,
        &mut signals,
    )
    .await;
    drop(guard);
    Ok(())
}
