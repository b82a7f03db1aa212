//! One error type for every service, with a stable code that pages and API clients rely on.

use std::fmt;

use tongban_store::StoreError;

/// What went wrong, coarsely: decides the HTTP status and the CLI exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is wrong; the caller can fix it.
    Invalid,
    NotFound,
    /// The request conflicts with the current state (a duplicate, a stale version).
    Conflict,
    Unauthorized,
    Forbidden,
    /// Too many attempts (failed sign-ins); the caller must wait.
    TooManyRequests,
    /// The resource exists but not with this method (HTTP only).
    MethodNotAllowed,
    /// Ours, not the caller's: logged in full, shown without detail.
    Internal,
}

/// One problem with one field of the input.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldProblem {
    /// Where: a query parameter, a JSON pointer-ish path, or `file:line path` for catalog files.
    pub field: String,
    pub code: String,
    pub message: String,
    pub message_zh: String,
}

/// A service error: kind, stable code (`calendar.days_out_of_range`), messages in both languages,
/// the offending field, and for multi-problem inputs the full list. Boxed, so that a `Result`
/// carrying it stays one pointer wide on the happy path; its fields read through `Deref`.
#[derive(Debug, Clone, PartialEq)]
pub struct AppError(Box<AppErrorData>);

#[derive(Debug, Clone, PartialEq)]
pub struct AppErrorData {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    pub message_zh: String,
    pub field: Option<String>,
    pub problems: Vec<FieldProblem>,
    /// For internal errors, the cause: logged and visible in `Debug`, never shown to users.
    pub cause: Option<String>,
}

impl AppError {
    pub fn new(
        kind: ErrorKind,
        code: impl Into<String>,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        AppError(Box::new(AppErrorData {
            kind,
            code: code.into(),
            message: message.into(),
            message_zh: message_zh.into(),
            field: None,
            problems: Vec::new(),
            cause: None,
        }))
    }

    pub fn into_data(self) -> AppErrorData {
        *self.0
    }

    pub fn invalid(
        code: impl Into<String>,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        Self::new(ErrorKind::Invalid, code, message, message_zh)
    }

    pub fn not_found(
        code: impl Into<String>,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        Self::new(ErrorKind::NotFound, code, message, message_zh)
    }

    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        let mut e = Self::new(
            ErrorKind::Internal,
            "internal",
            "Something went wrong on our side; the error has been logged.",
            "系统内部错误，已记录日志，请稍后重试。",
        );
        e.0.cause = Some(detail.to_string());
        e
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }

    pub fn with_problems(mut self, problems: Vec<FieldProblem>) -> Self {
        self.0.problems = problems;
        self
    }
}

impl std::ops::Deref for AppError {
    type Target = AppErrorData;
    fn deref(&self) -> &AppErrorData {
        &self.0
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({field}): {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { constraint } => AppError::new(
                ErrorKind::Conflict,
                "conflict",
                format!("A record with the same {constraint} already exists."),
                format!("已存在相同的记录（{constraint}）。"),
            ),
            other => AppError::internal(other),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
