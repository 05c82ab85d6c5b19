//! Headless Debian Chromium driven through Debian's chromedriver. Nothing is ever
//! downloaded: if the binaries are missing the test fails and says how to install them.

use std::process::{Child, Command, Stdio};
use std::time::Duration;
use thirtyfour::prelude::*;

pub struct Browser {
    pub driver: WebDriver,
    child: Child,
    _profile: tempfile::TempDir,
}

fn find(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

/// Whether Debian's chromium and chromedriver are installed. Browser tests skip with
/// a message on a developer machine without them, and fail under CI (`CI` set).
pub fn available() -> bool {
    let found = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]).is_some()
        && find(&["/usr/bin/chromium", "/usr/lib/chromium/chromium"]).is_some();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium and chromium-driver (apt-get install -y chromium chromium-driver)"
        );
        eprintln!("SKIPPED: browser test needs `apt-get install -y chromium chromium-driver`");
    }
    found
}

impl Browser {
    pub async fn start() -> Browser {
        let driver_bin = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"])
            .expect("chromedriver missing: apt-get install -y chromium chromium-driver");
        let chromium = find(&["/usr/bin/chromium", "/usr/lib/chromium/chromium"])
            .expect("chromium missing: apt-get install -y chromium chromium-driver");
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&chromium).unwrap();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ] {
            caps.add_arg(arg).unwrap();
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..50 {
            match WebDriver::new(&url, caps.clone()).await {
                Ok(driver) => {
                    return Browser {
                        driver,
                        child,
                        _profile: profile,
                    };
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        panic!("chromedriver did not start: {last:?}");
    }

    pub async fn quit(mut self) {
        let d = self.driver.clone();
        let _ = d.quit().await;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A test that failed never quit its session, and killing chromedriver leaves
        // its Chromium running. Only this browser's processes carry its fresh profile
        // directory on their command line, so that is what we match.
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", "--"])
            .arg(self._profile.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
