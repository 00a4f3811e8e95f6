"""One team's app stack: its namespace and one blue-green app, through the platform's component package."""

import pulumi
import pulumi_kubernetes as k8s
import pulumi_platform as platform

config = pulumi.Config()

# The explicit provider every object goes through: no ambient kubeconfig context.
cluster = k8s.Provider("cluster", context=config.require("kubeContext"))

shop = platform.PlatformNamespace(
    "shop",
    name="shop",
    environment=platform.Environment.PRODUCTION,
    team="checkout",
    quota=platform.NamespaceQuotaArgs(
        requests_cpu="8",
        requests_memory="16Gi",
        limits_cpu="16",
        limits_memory="32Gi",
        pods=60,
        persistent_volume_claims=0,
        load_balancers=0,
    ),
    limit_range=platform.NamespaceLimitRangeArgs(
        default_request=platform.CpuMemoryArgs(cpu="100m", memory="128Mi"),
        default_limit=platform.CpuMemoryArgs(cpu="500m", memory="512Mi"),
        max_limit=platform.CpuMemoryArgs(cpu="2", memory="4Gi"),
    ),
    max_nodes=10,
    opts=pulumi.ResourceOptions(providers=[cluster]),
)

checkout = platform.BlueGreenApp(
    "checkout",
    name="checkout",
    namespace="shop",
    environment=platform.Environment.PRODUCTION,
    port=8080,
    images=platform.BlueGreenImagesArgs(
        blue=config.get("imageBlue") or "ghcr.io/example/checkout:2.3.0",
        green=config.get("imageGreen") or "ghcr.io/example/checkout:2.4.0",
    ),
    active_color=platform.Color(config.get("activeColor") or "green"),
    replicas=3,
    resources=platform.AppResourcesArgs(
        requests=platform.CpuMemoryArgs(cpu="250m", memory="256Mi"),
        limits=platform.CpuMemoryArgs(cpu="1", memory="512Mi"),
    ),
    env={"PAYMENT_PROVIDER": "stripe"},
    gate=platform.BlueGreenGateArgs(
        paths=[platform.GateCheckArgs(path="/api/v1/cart", expected_status=200)],
    ),
    opts=pulumi.ResourceOptions(providers=[cluster], depends_on=[shop]),
)

pulumi.export("namespace", shop.namespace_name)
pulumi.export("activeService", checkout.active_service_name)
pulumi.export("previewService", checkout.preview_service_name)
