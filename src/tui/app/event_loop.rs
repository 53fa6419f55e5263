//! The loop: draw, then wait for whichever comes first — a terminal event, a message from a
//! task, or (only while something animates) the tick of the pending spinner — and hand it to
//! the app, then carry out the effects it queued. It draws only after one of those, so an idle
//! console does no work at all.

use super::effects;
use super::App;
use crate::tui::state::{Effect, Msg};
use futures::StreamExt;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    EventStream,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::DefaultTerminal;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// How often the spinner moves while a submission is in flight.
const TICK: Duration = Duration::from_millis(200);

pub async fn run(app: &mut App, mut rx: UnboundedReceiver<Msg>) -> anyhow::Result<()> {
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste);
    let result = drive(&mut terminal, app, &mut rx).await;
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
    result
}

async fn drive(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    rx: &mut UnboundedReceiver<Msg>,
) -> anyhow::Result<()> {
    let mut events = EventStream::new();
    loop {
        app.start_tasks();
        let mut editor = None;
        for e in std::mem::take(&mut app.ctx.effects) {
            match e {
                Effect::Quit => return Ok(()),
                Effect::Copy(text) => effects::copy_to_clipboard(&text),
                Effect::Edit(text) => editor = Some(text),
                // Started above.
                Effect::Spawn { .. } | Effect::Later { .. } => {}
            }
        }
        if let Some(text) = editor {
            // The editor owns the terminal meanwhile: stop reading keys, leave our screen.
            drop(events);
            let result = edit_externally(terminal, text).await;
            events = EventStream::new();
            app.editor_done(result);
            continue;
        }
        terminal.draw(|f| app.draw(f))?;
        let animating = app.animating();
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => app.on_event(ev),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            msg = rx.recv() => {
                if let Some(msg) = msg {
                    app.on_msg(msg);
                    // Apply everything already queued before the next draw.
                    while let Ok(m) = rx.try_recv() {
                        app.on_msg(m);
                    }
                }
            }
            _ = tokio::time::sleep(TICK), if animating => app.on_tick(),
        }
    }
}

/// Leaves the alternate screen, runs `$VISUAL`/`$EDITOR` (default `vi`) on a temp file holding
/// `text`, reads the file back and re-enters.
async fn edit_externally(terminal: &mut DefaultTerminal, text: String) -> Result<String, String> {
    let path = std::env::temp_dir().join(format!(
        "m3ter-console-{}.json",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let editor = std::env::var("VISUAL")
        .ok()
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi").to_string();
    let args: Vec<String> = words.map(String::from).collect();

    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen
    );
    let _ = disable_raw_mode();
    let status = tokio::process::Command::new(&program)
        .args(&args)
        .arg(&path)
        .status()
        .await;
    let _ = enable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    );
    // A fresh terminal has empty buffers, so the next draw repaints every cell. (`clear()` asks
    // the terminal for the cursor position first, and gives up without repainting if the
    // answer is late.)
    let _ = execute!(std::io::stdout(), Clear(ClearType::All));
    if let Ok(fresh) =
        ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))
    {
        *terminal = fresh;
    }
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read back {}: {e}", path.display())),
        Ok(s) => Err(format!(
            "{editor} exited with {s}; the editor text is unchanged"
        )),
        Err(e) => Err(format!("cannot run {editor}: {e} (set $EDITOR)")),
    };
    let _ = std::fs::remove_file(&path);
    result
}
