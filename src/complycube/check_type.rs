//! The 16 documented check types and what each needs.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CheckType {
    StandardScreening,
    ExtensiveScreening,
    Document,
    Identity,
    EnhancedIdentity,
    ProofOfAddress,
    MultiBureau,
    Eid,
    Ssn,
    AgeEstimation,
    IdentityFraud,
    DrivingLicense,
    DeviceIntelligence,
    EmailIntelligence,
    MobileIntelligence,
    FaceAuthentication,
}

/// The ids a check type needs besides `clientId` and `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    Document,
    Address,
    LivePhoto,
    LiveVideo,
}

impl CheckType {
    pub(crate) const ALL: [CheckType; 16] = [
        CheckType::StandardScreening,
        CheckType::ExtensiveScreening,
        CheckType::Document,
        CheckType::Identity,
        CheckType::EnhancedIdentity,
        CheckType::ProofOfAddress,
        CheckType::MultiBureau,
        CheckType::Eid,
        CheckType::Ssn,
        CheckType::AgeEstimation,
        CheckType::IdentityFraud,
        CheckType::DrivingLicense,
        CheckType::DeviceIntelligence,
        CheckType::EmailIntelligence,
        CheckType::MobileIntelligence,
        CheckType::FaceAuthentication,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CheckType::StandardScreening => "standard_screening_check",
            CheckType::ExtensiveScreening => "extensive_screening_check",
            CheckType::Document => "document_check",
            CheckType::Identity => "identity_check",
            CheckType::EnhancedIdentity => "enhanced_identity_check",
            CheckType::ProofOfAddress => "proof_of_address_check",
            CheckType::MultiBureau => "multi_bureau_check",
            CheckType::Eid => "eid_check",
            CheckType::Ssn => "ssn_check",
            CheckType::AgeEstimation => "age_estimation_check",
            CheckType::IdentityFraud => "identity_fraud_check",
            CheckType::DrivingLicense => "driving_license_check",
            CheckType::DeviceIntelligence => "device_intelligence_check",
            CheckType::EmailIntelligence => "email_intelligence_check",
            CheckType::MobileIntelligence => "mobile_intelligence_check",
            CheckType::FaceAuthentication => "face_authentication_check",
        }
    }

    /// Every type's wire name, in [`CheckType::ALL`] order.
    pub(crate) const NAMES: [&'static str; 16] = [
        "standard_screening_check",
        "extensive_screening_check",
        "document_check",
        "identity_check",
        "enhanced_identity_check",
        "proof_of_address_check",
        "multi_bureau_check",
        "eid_check",
        "ssn_check",
        "age_estimation_check",
        "identity_fraud_check",
        "driving_license_check",
        "device_intelligence_check",
        "email_intelligence_check",
        "mobile_intelligence_check",
        "face_authentication_check",
    ];

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Required ids, in the order they are reported when missing.
    pub(crate) fn needs(self) -> &'static [Needs] {
        match self {
            CheckType::Document | CheckType::ProofOfAddress | CheckType::DrivingLicense => {
                &[Needs::Document]
            }
            CheckType::Identity => &[Needs::Document, Needs::LivePhoto],
            CheckType::EnhancedIdentity => &[Needs::Document, Needs::LiveVideo],
            CheckType::MultiBureau | CheckType::IdentityFraud => &[Needs::Address],
            CheckType::AgeEstimation | CheckType::FaceAuthentication => &[Needs::LivePhoto],
            _ => &[],
        }
    }

    /// Types documented as "can only be performed on a client of type person".
    pub(crate) fn person_only(self) -> bool {
        matches!(
            self,
            CheckType::Identity
                | CheckType::EnhancedIdentity
                | CheckType::ProofOfAddress
                | CheckType::MultiBureau
                | CheckType::FaceAuthentication
                | CheckType::AgeEstimation
                | CheckType::Ssn
                | CheckType::DrivingLicense
        )
    }

    /// Types documented as "can only be initiated through a Workflow
    /// Session and is not supported for direct API calls".
    pub(crate) fn workflow_only(self) -> bool {
        matches!(self, CheckType::Eid | CheckType::DeviceIntelligence)
    }

    pub(crate) fn is_screening(self) -> bool {
        matches!(
            self,
            CheckType::StandardScreening | CheckType::ExtensiveScreening
        )
    }

    /// Types whose document must carry images (the front side at least).
    pub(crate) fn needs_images(self) -> bool {
        matches!(
            self,
            CheckType::Document
                | CheckType::Identity
                | CheckType::EnhancedIdentity
                | CheckType::ProofOfAddress
        )
    }
}
