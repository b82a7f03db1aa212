//! Uploaded materials, stored content-addressed on disk under the data directory
//! (`files/ab/cd/<sha256>`), with size and type limits. Object storage can come later behind the
//! same two functions.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::App;
use crate::error::{AppError, AppResult};

/// 10 MiB: a scanned A4 page in colour is well under this.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The types a material may have, recognized by their first bytes (the declared type must agree).
const ALLOWED: &[(&str, &[u8])] = &[
    ("application/pdf", b"%PDF-"),
    ("image/jpeg", &[0xFF, 0xD8, 0xFF]),
    (
        "image/png",
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
    ),
];

#[derive(Debug, Clone, Serialize)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
}

/// Where a file with this hash lives.
pub fn file_path(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir
        .join("files")
        .join(&sha256[..2.min(sha256.len())])
        .join(&sha256[2.min(sha256.len())..4.min(sha256.len())])
        .join(sha256)
}

/// Checks the declared type against the content; returns the canonical type.
pub fn check_file(bytes: &[u8], declared: &str) -> AppResult<&'static str> {
    if bytes.is_empty() {
        return Err(
            AppError::invalid("file.empty", "The file is empty.", "文件为空。").with_field("file"),
        );
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::invalid(
            "file.too_large",
            format!(
                "The file has {} bytes; the limit is {} MiB.",
                bytes.len(),
                MAX_FILE_BYTES / 1024 / 1024
            ),
            format!(
                "文件大小为 {} 字节，超过 {} MiB 的上限。",
                bytes.len(),
                MAX_FILE_BYTES / 1024 / 1024
            ),
        )
        .with_field("file"));
    }
    let declared = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let Some((ty, magic)) = ALLOWED.iter().find(|(t, _)| *t == declared) else {
        return Err(AppError::invalid(
            "file.type_not_allowed",
            format!("Files of type {declared:?} are not accepted; send PDF, JPEG or PNG."),
            format!("不接受 {declared:?} 类型的文件，请上传 PDF、JPEG 或 PNG。"),
        )
        .with_field("content-type"));
    };
    if !bytes.starts_with(magic) {
        return Err(AppError::invalid(
            "file.content_mismatch",
            format!("The file's content is not {ty}."),
            format!("文件内容与声明的类型 {ty} 不符。"),
        )
        .with_field("file"));
    }
    Ok(ty)
}

impl App {
    /// Stores an upload durably (written, synced and renamed into place before the database row
    /// says it exists) and returns its hash.
    pub async fn store_file(&self, bytes: Vec<u8>, declared_type: &str) -> AppResult<StoredFile> {
        let content_type = check_file(&bytes, declared_type)?;
        let data_dir = self.data_dir.clone();
        let (sha256, size) = tokio::task::spawn_blocking(move || -> AppResult<(String, u64)> {
            let sha = tongban_store::fingerprint_bytes(&bytes);
            let path = file_path(&data_dir, &sha);
            if !path.exists() {
                let dir = path
                    .parent()
                    .ok_or_else(|| AppError::internal("file path has no parent"))?;
                std::fs::create_dir_all(dir).map_err(AppError::internal)?;
                let tmp = dir.join(format!(".{sha}.tmp{}", std::process::id()));
                let mut f = std::fs::File::create(&tmp).map_err(AppError::internal)?;
                f.write_all(&bytes).map_err(AppError::internal)?;
                f.sync_all().map_err(AppError::internal)?;
                std::fs::rename(&tmp, &path).map_err(AppError::internal)?;
            }
            Ok((sha, bytes.len() as u64))
        })
        .await
        .map_err(AppError::internal)??;
        let now = self.clock.now().timestamp_millis();
        self.store
            .put_file(
                &sha256,
                i64::try_from(size).unwrap_or(i64::MAX),
                content_type,
                now,
            )
            .await?;
        Ok(StoredFile {
            sha256,
            size,
            content_type: content_type.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_must_match_content() {
        assert_eq!(
            check_file(b"%PDF-1.7 ...", "application/pdf").unwrap(),
            "application/pdf"
        );
        assert_eq!(
            check_file(b"%PDF-1.7", "image/png").unwrap_err().code,
            "file.content_mismatch"
        );
        assert_eq!(
            check_file(b"MZ..", "application/x-msdownload")
                .unwrap_err()
                .code,
            "file.type_not_allowed"
        );
        assert_eq!(
            check_file(b"", "application/pdf").unwrap_err().code,
            "file.empty"
        );
        let big = vec![b'%'; MAX_FILE_BYTES + 1];
        assert_eq!(
            check_file(&big, "application/pdf").unwrap_err().code,
            "file.too_large"
        );
    }

    #[test]
    fn paths_fan_out_by_hash() {
        let p = file_path(Path::new("/d"), "abcdef0123");
        assert_eq!(p, Path::new("/d/files/ab/cd/abcdef0123"));
    }
}
