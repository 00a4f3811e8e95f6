import { expect } from "chai";
import { isApiServerRepairWarning } from "./fixtures/engine";

// The engine tests allow one warning the test API server itself may cause (tests/engine/fixtures/engine.ts):
// only that message, as a warning, on a Service. Everything else still fails them.

const SERVICE = "urn:pulumi:staging::platform::platform:index:Platform$platform:apps:BlueGreenApp$kubernetes:core/v1:Service::platform-app-api-preview";
const MESSAGE = "ClusterIPNotAllocated: Cluster IP [IPv4]: 10.96.250.64 is not allocated; repairing";

describe("engine tests: the API server's ClusterIP repair warning is the one allowed", () => {
  it("allows it as a warning on a Service, nested or at the top", () => {
    expect(isApiServerRepairWarning({ severity: "warning", urn: SERVICE, message: MESSAGE })).to.equal(true);
    expect(isApiServerRepairWarning({ severity: "warning", urn: "urn:pulumi:dev::team::kubernetes:core/v1:Service::checkout-active", message: MESSAGE })).to.equal(true);
  });

  it("refuses it as an error, on any other kind, without a resource, or with anything else said", () => {
    expect(isApiServerRepairWarning({ severity: "error", urn: SERVICE, message: MESSAGE })).to.equal(false);
    expect(isApiServerRepairWarning({ severity: "warning", urn: SERVICE.replace("core/v1:Service", "apps/v1:Deployment"), message: MESSAGE })).to.equal(false);
    expect(isApiServerRepairWarning({ severity: "warning", message: MESSAGE })).to.equal(false);
    expect(isApiServerRepairWarning({ severity: "warning", urn: SERVICE, message: `${MESSAGE}; and something else` })).to.equal(false);
    expect(isApiServerRepairWarning({ severity: "warning", urn: SERVICE, message: "ClusterIPOutOfRange: Cluster IP [IPv4]: 10.0.0.1 is not within the service CIDR" })).to.equal(false);
  });
});
