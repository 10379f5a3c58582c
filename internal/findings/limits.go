package findings

// MaxSBOMBytes bounds one uploaded SBOM file, in the portal and the API
// alike: the largest real SBOMs (container images with thousands of
// components) are a few MiB, so 50 MiB leaves room without letting one
// upload tie up the server.
const MaxSBOMBytes = 50 << 20
