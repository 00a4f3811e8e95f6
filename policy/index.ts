import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policyPackArgs } from "./rules";

// The pack's entry point for the Pulumi CLI (`pulumi preview --policy-pack policy`). Constructing the pack
// starts the analyzer's gRPC server and prints its port for the engine, so nothing else may import this file.
new PolicyPack(PACK_NAME, policyPackArgs);
