// One team's app stack: its namespace and one blue-green app, through the platform's component package.
package main

import (
	"example.com/pulumi-platform/sdk/go/platform"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")

		// The explicit provider every object goes through: no ambient kubeconfig context.
		cluster, err := kubernetes.NewProvider(ctx, "cluster", &kubernetes.ProviderArgs{
			Context: pulumi.String(cfg.Require("kubeContext")),
		})
		if err != nil {
			return err
		}

		shop, err := platform.NewPlatformNamespace(ctx, "shop", &platform.PlatformNamespaceArgs{
			Name:        "shop",
			Environment: platform.EnvironmentProduction,
			Team:        "checkout",
			Quota: platform.NamespaceQuotaArgs{
				RequestsCpu:            "8",
				RequestsMemory:         "16Gi",
				LimitsCpu:              "16",
				LimitsMemory:           "32Gi",
				Pods:                   60,
				PersistentVolumeClaims: 0,
				LoadBalancers:          0,
			},
			LimitRange: platform.NamespaceLimitRangeArgs{
				DefaultRequest: platform.CpuMemoryArgs{Cpu: "100m", Memory: "128Mi"},
				DefaultLimit:   platform.CpuMemoryArgs{Cpu: "500m", Memory: "512Mi"},
				MaxLimit:       platform.CpuMemoryArgs{Cpu: "2", Memory: "4Gi"},
			},
			MaxNodes: 10,
		}, pulumi.Providers(cluster))
		if err != nil {
			return err
		}

		checkout, err := platform.NewBlueGreenApp(ctx, "checkout", &platform.BlueGreenAppArgs{
			Name:        "checkout",
			Namespace:   "shop",
			Environment: platform.EnvironmentProduction,
			Port:        8080,
			Images: platform.BlueGreenImagesArgs{
				Blue:  orDefault(cfg.Get("imageBlue"), "ghcr.io/example/checkout:2.3.0"),
				Green: orDefault(cfg.Get("imageGreen"), "ghcr.io/example/checkout:2.4.0"),
			},
			ActiveColor: platform.Color(orDefault(cfg.Get("activeColor"), "green")),
			Replicas:    3,
			Resources: platform.AppResourcesArgs{
				Requests: platform.CpuMemoryArgs{Cpu: "250m", Memory: "256Mi"},
				Limits:   platform.CpuMemoryArgs{Cpu: "1", Memory: "512Mi"},
			},
			Env: map[string]string{"PAYMENT_PROVIDER": "stripe"},
			Gate: &platform.BlueGreenGateArgs{
				Paths: []platform.GateCheckArgs{{Path: "/api/v1/cart", ExpectedStatus: 200}},
			},
		}, pulumi.Providers(cluster), pulumi.DependsOn([]pulumi.Resource{shop}))
		if err != nil {
			return err
		}

		ctx.Export("namespace", shop.NamespaceName)
		ctx.Export("activeService", checkout.ActiveServiceName)
		ctx.Export("previewService", checkout.PreviewServiceName)
		return nil
	})
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
