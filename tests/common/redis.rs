//! A Redis server of a test's own: `redis-server` on a free loopback port (or a unix
//! socket) in a temporary directory, no persistence, stopped on drop. `stop` and `start`
//! again (same port) let a test take Redis away mid-run. `start_tls` serves TLS only, with
//! certificates the test writes.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Redis {
    pub port: u16,
    dir: PathBuf,
    unix: bool,
    /// TLS only, with `ca.pem`, `server.pem` and `server.key` in `dir`.
    tls: bool,
    /// `requirepass`, when the server asks for one.
    password: Option<String>,
    child: Option<Child>,
}

impl Redis {
    /// A Redis on a free TCP port of 127.0.0.1.
    pub fn start() -> Redis {
        Redis::launch(false)
    }

    /// A Redis listening on a unix socket only.
    pub fn start_unix() -> Redis {
        Redis::launch(true)
    }

    /// A Redis on a free TCP port that needs `password` (`requirepass`); `url()` holds it.
    pub fn start_with_password(password: &str) -> Redis {
        Redis::launch_with(false, Some(password.to_string()))
    }

    /// A Redis on a free TCP port serving TLS only: `write_certificates` puts `ca.pem`,
    /// `server.pem` and `server.key` into the directory it is given first.
    pub fn start_tls(write_certificates: impl FnOnce(&Path)) -> Redis {
        Redis::create(false, true, None, write_certificates)
    }

    fn launch(unix: bool) -> Redis {
        Redis::launch_with(unix, None)
    }

    fn launch_with(unix: bool, password: Option<String>) -> Redis {
        Redis::create(unix, false, password, |_| {})
    }

    fn create(
        unix: bool,
        tls: bool,
        password: Option<String>,
        prepare: impl FnOnce(&Path),
    ) -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("mk-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        prepare(&dir);
        let mut r = Redis {
            port,
            dir,
            unix,
            tls,
            password,
            child: None,
        };
        r.restart();
        r
    }

    /// The URL a client gives as `coordination_url`.
    pub fn url(&self) -> String {
        if self.unix {
            format!("unix://{}", self.socket().display())
        } else if self.tls {
            format!("rediss://127.0.0.1:{}/0", self.port)
        } else if let Some(pw) = &self.password {
            format!("redis://:{pw}@127.0.0.1:{}/0", self.port)
        } else {
            format!("redis://127.0.0.1:{}/0", self.port)
        }
    }

    /// The CA of a TLS Redis (`start_tls`).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("redis.sock")
    }

    /// Starts the server (again), and waits until it answers.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let port = if self.unix || self.tls { 0 } else { self.port };
        let file = |name: &str| self.dir.join(name).display().to_string();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(["--dir", self.dir.to_str().unwrap()])
            .args(if self.unix {
                vec![
                    "--unixsocket".to_string(),
                    self.socket().display().to_string(),
                ]
            } else {
                vec![]
            })
            .args(if self.tls {
                vec![
                    "--tls-port".to_string(),
                    self.port.to_string(),
                    "--tls-cert-file".to_string(),
                    file("server.pem"),
                    "--tls-key-file".to_string(),
                    file("server.key"),
                    "--tls-ca-cert-file".to_string(),
                    file("ca.pem"),
                    "--tls-auth-clients".to_string(),
                    "no".to_string(),
                ]
            } else {
                vec![]
            })
            .args(match &self.password {
                Some(pw) => vec!["--requirepass".to_string(), pw.clone()],
                None => vec![],
            })
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (make deps installs it)");
        self.child = Some(child);
        let started = Instant::now();
        while !self.answers() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server (as a crash would).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A command through `redis-cli`, its output trimmed.
    pub fn cli(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("redis-cli");
        if self.unix {
            cmd.args(["-s", self.socket().to_str().unwrap()]);
        } else {
            cmd.args(["-p", &self.port.to_string()]);
        }
        if self.tls {
            cmd.args(["--tls", "--cacert", self.ca_file().to_str().unwrap()]);
        }
        if let Some(pw) = &self.password {
            cmd.args(["--no-auth-warning", "-a", pw]);
        }
        let out = cmd.args(args).output().expect("redis-cli runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn answers(&self) -> bool {
        self.cli(&["PING"]) == "PONG"
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
