//! Staging labels, as AWS moves them: a label is on at most one version; moving AWSCURRENT puts
//! AWSPREVIOUS on the version that had it; versions with no label are deprecated, and the oldest
//! of them are removed when a secret has more than 100 versions.

use wire::ApiError;

use super::{
    error,
    secret_record::{StoredVersion, CURRENT, PREVIOUS},
};

/// A secret keeps at most this many versions.
pub const MAX_VERSIONS: usize = 100;
/// A version may carry at most this many staging labels.
pub const MAX_STAGES_PER_VERSION: usize = 20;
/// Deprecated versions younger than this are kept even past the version limit.
const DEPRECATED_KEEP_SECONDS: f64 = 86_400.0;

/// Puts `stage` on version `to`, taking it off any other version. Moving AWSCURRENT to another
/// version puts AWSPREVIOUS on the version that had it.
pub fn move_stage(versions: &mut [StoredVersion], stage: &str, to: &str) {
    let previous_holder = versions.iter().find(|v| v.has(stage)).map(|v| v.id.clone());
    if previous_holder.as_deref() == Some(to) {
        return;
    }
    for version in versions.iter_mut() {
        version.stages.retain(|s| s != stage);
    }
    if let Some(version) = versions.iter_mut().find(|v| v.id == to) {
        version.stages.push(stage.to_owned());
    }
    if stage == CURRENT {
        if let Some(old) = previous_holder {
            move_stage(versions, PREVIOUS, &old);
        }
    }
}

/// Takes `stage` off version `from`.
pub fn remove_stage(versions: &mut [StoredVersion], stage: &str, from: &str) {
    if let Some(version) = versions.iter_mut().find(|v| v.id == from) {
        version.stages.retain(|s| s != stage);
    }
}

/// Refuses a version with more labels than AWS allows.
pub fn check_stage_count(version: &StoredVersion) -> Result<(), ApiError> {
    if version.stages.len() > MAX_STAGES_PER_VERSION {
        return Err(error(
            "LimitExceededException",
            format!("A version can have at most {MAX_STAGES_PER_VERSION} staging labels."),
        ));
    }
    Ok(())
}

/// Removes the oldest deprecated versions while the secret has more than [`MAX_VERSIONS`];
/// refuses the change when only versions younger than a day could go.
pub fn prune(versions: &mut Vec<StoredVersion>, now: f64) -> Result<(), ApiError> {
    while versions.len() > MAX_VERSIONS {
        let oldest_deprecated = versions
            .iter()
            .position(|v| v.stages.is_empty() && now - v.created >= DEPRECATED_KEEP_SECONDS);
        match oldest_deprecated {
            Some(index) => {
                versions.remove(index);
            }
            None => {
                return Err(error(
                    "LimitExceededException",
                    format!(
                        "You can't have more than {MAX_VERSIONS} versions of a secret; Secrets Manager removes versions without staging labels once they are a day old."
                    ),
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: &str, stages: &[&str], created: f64) -> StoredVersion {
        StoredVersion {
            id: id.to_owned(),
            stages: stages.iter().map(|s| s.to_string()).collect(),
            created,
            last_accessed: None,
            kms_key_arn: None,
            value: None,
        }
    }

    fn stages_of(versions: &[StoredVersion], id: &str) -> Vec<String> {
        versions.iter().find(|v| v.id == id).unwrap().stages.clone()
    }

    #[test]
    fn moving_awscurrent_makes_the_old_current_awsprevious() {
        let mut versions = vec![version("a", &["AWSPREVIOUS"], 0.0), version("b", &["AWSCURRENT"], 1.0), version("c", &[], 2.0)];
        move_stage(&mut versions, CURRENT, "c");
        assert_eq!(stages_of(&versions, "a"), Vec::<String>::new());
        assert_eq!(stages_of(&versions, "b"), vec!["AWSPREVIOUS"]);
        assert_eq!(stages_of(&versions, "c"), vec!["AWSCURRENT"]);
    }

    #[test]
    fn a_custom_label_is_on_one_version_at_a_time() {
        let mut versions = vec![version("a", &["blue"], 0.0), version("b", &[], 1.0)];
        move_stage(&mut versions, "blue", "b");
        assert!(stages_of(&versions, "a").is_empty());
        assert_eq!(stages_of(&versions, "b"), vec!["blue"]);
    }

    #[test]
    fn the_oldest_deprecated_versions_go_past_the_limit() {
        let mut versions: Vec<StoredVersion> = (0..MAX_VERSIONS).map(|i| version(&i.to_string(), &[], i as f64)).collect();
        versions.push(version("new", &["AWSCURRENT"], 200_000.0));
        prune(&mut versions, 200_000.0).unwrap();
        assert_eq!(versions.len(), MAX_VERSIONS);
        assert_eq!(versions[0].id, "1");
    }

    #[test]
    fn young_deprecated_versions_are_kept_and_the_change_refused() {
        let mut versions: Vec<StoredVersion> = (0..=MAX_VERSIONS).map(|i| version(&i.to_string(), &[], 10.0)).collect();
        let refused = prune(&mut versions, 20.0).unwrap_err();
        assert_eq!(refused.code, "LimitExceededException");
    }
}
