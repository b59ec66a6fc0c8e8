/* Schema tables for the protobuf request decoder (apiserver/protobuf.c): one
 * field list per Kubernetes message reachable from the kinds in pb_schema_kinds,
 * with the field numbers, JSON names and types of k8s.io/api and
 * k8s.io/apimachinery v0.32 (generated.proto). Generated from the gogo-protobuf
 * file descriptors compiled into kubectl v1.32.4, so numbers match what kubectl
 * sends. PB_KEEP marks Go pointer fields (gogoproto nullable): for them an explicit
 * zero or an empty message on the wire was set on purpose and is kept. PB_INLINE
 * marks embedded Go structs tagged json:",inline" (Volume.volumeSource).
 * Made by a throwaway converter that read the gzipped FileDescriptorProtos in the
 * kubectl binary (gogoproto options 65001 nullable, 65004 customname); a new kind
 * follows the same rules: one array per message, fields in number order. */
#include <string.h>

#include "api/protobuf/schema.h"

/* One message: its name and the field array declared just before it. */
#define PB_MESSAGE_DEFINE(var, pbname)                                                             \
	static const struct pb_message var = {pbname, var##_fields,                                \
					      sizeof var##_fields / sizeof var##_fields[0]}

/* Forward declarations: messages refer to each other in any order. */
static const struct pb_message pb_meta_v1_OwnerReference;
static const struct pb_message pb_meta_v1_ManagedFieldsEntry;
static const struct pb_message pb_meta_v1_ObjectMeta;
static const struct pb_message pb_core_v1_NamespaceSpec;
static const struct pb_message pb_core_v1_NamespaceCondition;
static const struct pb_message pb_core_v1_NamespaceStatus;
static const struct pb_message pb_core_v1_Namespace;
static const struct pb_message pb_core_v1_HostPathVolumeSource;
static const struct pb_message pb_core_v1_EmptyDirVolumeSource;
static const struct pb_message pb_core_v1_GCEPersistentDiskVolumeSource;
static const struct pb_message pb_core_v1_AWSElasticBlockStoreVolumeSource;
static const struct pb_message pb_core_v1_GitRepoVolumeSource;
static const struct pb_message pb_core_v1_KeyToPath;
static const struct pb_message pb_core_v1_SecretVolumeSource;
static const struct pb_message pb_core_v1_NFSVolumeSource;
static const struct pb_message pb_core_v1_LocalObjectReference;
static const struct pb_message pb_core_v1_ISCSIVolumeSource;
static const struct pb_message pb_core_v1_GlusterfsVolumeSource;
static const struct pb_message pb_core_v1_PersistentVolumeClaimVolumeSource;
static const struct pb_message pb_core_v1_RBDVolumeSource;
static const struct pb_message pb_core_v1_FlexVolumeSource;
static const struct pb_message pb_core_v1_CinderVolumeSource;
static const struct pb_message pb_core_v1_CephFSVolumeSource;
static const struct pb_message pb_core_v1_FlockerVolumeSource;
static const struct pb_message pb_core_v1_ObjectFieldSelector;
static const struct pb_message pb_core_v1_ResourceFieldSelector;
static const struct pb_message pb_core_v1_DownwardAPIVolumeFile;
static const struct pb_message pb_core_v1_DownwardAPIVolumeSource;
static const struct pb_message pb_core_v1_FCVolumeSource;
static const struct pb_message pb_core_v1_AzureFileVolumeSource;
static const struct pb_message pb_core_v1_ConfigMapVolumeSource;
static const struct pb_message pb_core_v1_VsphereVirtualDiskVolumeSource;
static const struct pb_message pb_core_v1_QuobyteVolumeSource;
static const struct pb_message pb_core_v1_AzureDiskVolumeSource;
static const struct pb_message pb_core_v1_PhotonPersistentDiskVolumeSource;
static const struct pb_message pb_core_v1_SecretProjection;
static const struct pb_message pb_core_v1_DownwardAPIProjection;
static const struct pb_message pb_core_v1_ConfigMapProjection;
static const struct pb_message pb_core_v1_ServiceAccountTokenProjection;
static const struct pb_message pb_meta_v1_LabelSelectorRequirement;
static const struct pb_message pb_meta_v1_LabelSelector;
static const struct pb_message pb_core_v1_ClusterTrustBundleProjection;
static const struct pb_message pb_core_v1_VolumeProjection;
static const struct pb_message pb_core_v1_ProjectedVolumeSource;
static const struct pb_message pb_core_v1_PortworxVolumeSource;
static const struct pb_message pb_core_v1_ScaleIOVolumeSource;
static const struct pb_message pb_core_v1_StorageOSVolumeSource;
static const struct pb_message pb_core_v1_CSIVolumeSource;
static const struct pb_message pb_core_v1_VolumeResourceRequirements;
static const struct pb_message pb_core_v1_TypedLocalObjectReference;
static const struct pb_message pb_core_v1_TypedObjectReference;
static const struct pb_message pb_core_v1_PersistentVolumeClaimSpec;
static const struct pb_message pb_core_v1_PersistentVolumeClaimTemplate;
static const struct pb_message pb_core_v1_EphemeralVolumeSource;
static const struct pb_message pb_core_v1_ImageVolumeSource;
static const struct pb_message pb_core_v1_VolumeSource;
static const struct pb_message pb_core_v1_Volume;
static const struct pb_message pb_core_v1_ContainerPort;
static const struct pb_message pb_core_v1_ConfigMapEnvSource;
static const struct pb_message pb_core_v1_SecretEnvSource;
static const struct pb_message pb_core_v1_EnvFromSource;
static const struct pb_message pb_core_v1_ConfigMapKeySelector;
static const struct pb_message pb_core_v1_SecretKeySelector;
static const struct pb_message pb_core_v1_EnvVarSource;
static const struct pb_message pb_core_v1_EnvVar;
static const struct pb_message pb_core_v1_ResourceClaim;
static const struct pb_message pb_core_v1_ResourceRequirements;
static const struct pb_message pb_core_v1_ContainerResizePolicy;
static const struct pb_message pb_core_v1_VolumeMount;
static const struct pb_message pb_core_v1_VolumeDevice;
static const struct pb_message pb_core_v1_ExecAction;
static const struct pb_message pb_core_v1_HTTPHeader;
static const struct pb_message pb_core_v1_HTTPGetAction;
static const struct pb_message pb_core_v1_TCPSocketAction;
static const struct pb_message pb_core_v1_GRPCAction;
static const struct pb_message pb_core_v1_ProbeHandler;
static const struct pb_message pb_core_v1_Probe;
static const struct pb_message pb_core_v1_SleepAction;
static const struct pb_message pb_core_v1_LifecycleHandler;
static const struct pb_message pb_core_v1_Lifecycle;
static const struct pb_message pb_core_v1_Capabilities;
static const struct pb_message pb_core_v1_SELinuxOptions;
static const struct pb_message pb_core_v1_WindowsSecurityContextOptions;
static const struct pb_message pb_core_v1_SeccompProfile;
static const struct pb_message pb_core_v1_AppArmorProfile;
static const struct pb_message pb_core_v1_SecurityContext;
static const struct pb_message pb_core_v1_Container;
static const struct pb_message pb_core_v1_EphemeralContainerCommon;
static const struct pb_message pb_core_v1_EphemeralContainer;
static const struct pb_message pb_core_v1_Sysctl;
static const struct pb_message pb_core_v1_PodSecurityContext;
static const struct pb_message pb_core_v1_NodeSelectorRequirement;
static const struct pb_message pb_core_v1_NodeSelectorTerm;
static const struct pb_message pb_core_v1_NodeSelector;
static const struct pb_message pb_core_v1_PreferredSchedulingTerm;
static const struct pb_message pb_core_v1_NodeAffinity;
static const struct pb_message pb_core_v1_PodAffinityTerm;
static const struct pb_message pb_core_v1_WeightedPodAffinityTerm;
static const struct pb_message pb_core_v1_PodAffinity;
static const struct pb_message pb_core_v1_PodAntiAffinity;
static const struct pb_message pb_core_v1_Affinity;
static const struct pb_message pb_core_v1_Toleration;
static const struct pb_message pb_core_v1_HostAlias;
static const struct pb_message pb_core_v1_PodDNSConfigOption;
static const struct pb_message pb_core_v1_PodDNSConfig;
static const struct pb_message pb_core_v1_PodReadinessGate;
static const struct pb_message pb_core_v1_TopologySpreadConstraint;
static const struct pb_message pb_core_v1_PodOS;
static const struct pb_message pb_core_v1_PodSchedulingGate;
static const struct pb_message pb_core_v1_PodResourceClaim;
static const struct pb_message pb_core_v1_PodSpec;
static const struct pb_message pb_core_v1_PodCondition;
static const struct pb_message pb_core_v1_HostIP;
static const struct pb_message pb_core_v1_PodIP;
static const struct pb_message pb_core_v1_ContainerStateWaiting;
static const struct pb_message pb_core_v1_ContainerStateRunning;
static const struct pb_message pb_core_v1_ContainerStateTerminated;
static const struct pb_message pb_core_v1_ContainerState;
static const struct pb_message pb_core_v1_VolumeMountStatus;
static const struct pb_message pb_core_v1_LinuxContainerUser;
static const struct pb_message pb_core_v1_ContainerUser;
static const struct pb_message pb_core_v1_ResourceHealth;
static const struct pb_message pb_core_v1_ResourceStatus;
static const struct pb_message pb_core_v1_ContainerStatus;
static const struct pb_message pb_core_v1_PodResourceClaimStatus;
static const struct pb_message pb_core_v1_PodStatus;
static const struct pb_message pb_core_v1_Pod;
static const struct pb_message pb_core_v1_Taint;
static const struct pb_message pb_core_v1_ConfigMapNodeConfigSource;
static const struct pb_message pb_core_v1_NodeConfigSource;
static const struct pb_message pb_core_v1_NodeSpec;
static const struct pb_message pb_core_v1_NodeCondition;
static const struct pb_message pb_core_v1_NodeAddress;
static const struct pb_message pb_core_v1_DaemonEndpoint;
static const struct pb_message pb_core_v1_NodeDaemonEndpoints;
static const struct pb_message pb_core_v1_NodeSystemInfo;
static const struct pb_message pb_core_v1_ContainerImage;
static const struct pb_message pb_core_v1_AttachedVolume;
static const struct pb_message pb_core_v1_NodeConfigStatus;
static const struct pb_message pb_core_v1_NodeRuntimeHandlerFeatures;
static const struct pb_message pb_core_v1_NodeRuntimeHandler;
static const struct pb_message pb_core_v1_NodeFeatures;
static const struct pb_message pb_core_v1_NodeStatus;
static const struct pb_message pb_core_v1_Node;
static const struct pb_message pb_core_v1_ServicePort;
static const struct pb_message pb_core_v1_ClientIPConfig;
static const struct pb_message pb_core_v1_SessionAffinityConfig;
static const struct pb_message pb_core_v1_ServiceSpec;
static const struct pb_message pb_core_v1_PortStatus;
static const struct pb_message pb_core_v1_LoadBalancerIngress;
static const struct pb_message pb_core_v1_LoadBalancerStatus;
static const struct pb_message pb_meta_v1_Condition;
static const struct pb_message pb_core_v1_ServiceStatus;
static const struct pb_message pb_core_v1_Service;
static const struct pb_message pb_core_v1_ObjectReference;
static const struct pb_message pb_core_v1_EndpointAddress;
static const struct pb_message pb_core_v1_EndpointPort;
static const struct pb_message pb_core_v1_EndpointSubset;
static const struct pb_message pb_core_v1_Endpoints;
static const struct pb_message pb_core_v1_ConfigMap;
static const struct pb_message pb_core_v1_Secret;
static const struct pb_message pb_core_v1_ServiceAccount;
static const struct pb_message pb_core_v1_EventSource;
static const struct pb_message pb_core_v1_EventSeries;
static const struct pb_message pb_core_v1_Event;
static const struct pb_message pb_core_v1_GlusterfsPersistentVolumeSource;
static const struct pb_message pb_core_v1_SecretReference;
static const struct pb_message pb_core_v1_RBDPersistentVolumeSource;
static const struct pb_message pb_core_v1_ISCSIPersistentVolumeSource;
static const struct pb_message pb_core_v1_CinderPersistentVolumeSource;
static const struct pb_message pb_core_v1_CephFSPersistentVolumeSource;
static const struct pb_message pb_core_v1_FlexPersistentVolumeSource;
static const struct pb_message pb_core_v1_AzureFilePersistentVolumeSource;
static const struct pb_message pb_core_v1_ScaleIOPersistentVolumeSource;
static const struct pb_message pb_core_v1_LocalVolumeSource;
static const struct pb_message pb_core_v1_StorageOSPersistentVolumeSource;
static const struct pb_message pb_core_v1_CSIPersistentVolumeSource;
static const struct pb_message pb_core_v1_PersistentVolumeSource;
static const struct pb_message pb_core_v1_VolumeNodeAffinity;
static const struct pb_message pb_core_v1_PersistentVolumeSpec;
static const struct pb_message pb_core_v1_PersistentVolumeStatus;
static const struct pb_message pb_core_v1_PersistentVolume;
static const struct pb_message pb_core_v1_PersistentVolumeClaimCondition;
static const struct pb_message pb_core_v1_ModifyVolumeStatus;
static const struct pb_message pb_core_v1_PersistentVolumeClaimStatus;
static const struct pb_message pb_core_v1_PersistentVolumeClaim;
static const struct pb_message pb_core_v1_Binding;
static const struct pb_message pb_core_v1_ScopedResourceSelectorRequirement;
static const struct pb_message pb_core_v1_ScopeSelector;
static const struct pb_message pb_core_v1_ResourceQuotaSpec;
static const struct pb_message pb_core_v1_ResourceQuotaStatus;
static const struct pb_message pb_core_v1_ResourceQuota;
static const struct pb_message pb_core_v1_LimitRangeItem;
static const struct pb_message pb_core_v1_LimitRangeSpec;
static const struct pb_message pb_core_v1_LimitRange;
static const struct pb_message pb_core_v1_PodTemplateSpec;
static const struct pb_message pb_core_v1_PodTemplate;
static const struct pb_message pb_core_v1_ReplicationControllerSpec;
static const struct pb_message pb_core_v1_ReplicationControllerCondition;
static const struct pb_message pb_core_v1_ReplicationControllerStatus;
static const struct pb_message pb_core_v1_ReplicationController;
static const struct pb_message pb_apps_v1_RollingUpdateDeployment;
static const struct pb_message pb_apps_v1_DeploymentStrategy;
static const struct pb_message pb_apps_v1_DeploymentSpec;
static const struct pb_message pb_apps_v1_DeploymentCondition;
static const struct pb_message pb_apps_v1_DeploymentStatus;
static const struct pb_message pb_apps_v1_Deployment;
static const struct pb_message pb_apps_v1_ReplicaSetSpec;
static const struct pb_message pb_apps_v1_ReplicaSetCondition;
static const struct pb_message pb_apps_v1_ReplicaSetStatus;
static const struct pb_message pb_apps_v1_ReplicaSet;
static const struct pb_message pb_apps_v1_RollingUpdateDaemonSet;
static const struct pb_message pb_apps_v1_DaemonSetUpdateStrategy;
static const struct pb_message pb_apps_v1_DaemonSetSpec;
static const struct pb_message pb_apps_v1_DaemonSetCondition;
static const struct pb_message pb_apps_v1_DaemonSetStatus;
static const struct pb_message pb_apps_v1_DaemonSet;
static const struct pb_message pb_apps_v1_RollingUpdateStatefulSetStrategy;
static const struct pb_message pb_apps_v1_StatefulSetUpdateStrategy;
static const struct pb_message pb_apps_v1_StatefulSetPersistentVolumeClaimRetentionPolicy;
static const struct pb_message pb_apps_v1_StatefulSetOrdinals;
static const struct pb_message pb_apps_v1_StatefulSetSpec;
static const struct pb_message pb_apps_v1_StatefulSetCondition;
static const struct pb_message pb_apps_v1_StatefulSetStatus;
static const struct pb_message pb_apps_v1_StatefulSet;
static const struct pb_message pb_apps_v1_ControllerRevision;
static const struct pb_message pb_batch_v1_PodFailurePolicyOnExitCodesRequirement;
static const struct pb_message pb_batch_v1_PodFailurePolicyOnPodConditionsPattern;
static const struct pb_message pb_batch_v1_PodFailurePolicyRule;
static const struct pb_message pb_batch_v1_PodFailurePolicy;
static const struct pb_message pb_batch_v1_SuccessPolicyRule;
static const struct pb_message pb_batch_v1_SuccessPolicy;
static const struct pb_message pb_batch_v1_JobSpec;
static const struct pb_message pb_batch_v1_JobCondition;
static const struct pb_message pb_batch_v1_UncountedTerminatedPods;
static const struct pb_message pb_batch_v1_JobStatus;
static const struct pb_message pb_batch_v1_Job;
static const struct pb_message pb_batch_v1_JobTemplateSpec;
static const struct pb_message pb_batch_v1_CronJobSpec;
static const struct pb_message pb_batch_v1_CronJobStatus;
static const struct pb_message pb_batch_v1_CronJob;
static const struct pb_message pb_coordination_v1_LeaseSpec;
static const struct pb_message pb_coordination_v1_Lease;
static const struct pb_message pb_scheduling_v1_PriorityClass;
static const struct pb_message pb_discovery_v1_EndpointConditions;
static const struct pb_message pb_discovery_v1_ForZone;
static const struct pb_message pb_discovery_v1_EndpointHints;
static const struct pb_message pb_discovery_v1_Endpoint;
static const struct pb_message pb_discovery_v1_EndpointPort;
static const struct pb_message pb_discovery_v1_EndpointSlice;
static const struct pb_message pb_events_v1_EventSeries;
static const struct pb_message pb_events_v1_Event;
static const struct pb_message pb_policy_v1_PodDisruptionBudgetSpec;
static const struct pb_message pb_policy_v1_PodDisruptionBudgetStatus;
static const struct pb_message pb_policy_v1_PodDisruptionBudget;
static const struct pb_message pb_meta_v1_Preconditions;
static const struct pb_message pb_meta_v1_DeleteOptions;
static const struct pb_message pb_policy_v1_Eviction;
static const struct pb_message pb_autoscaling_v1_ScaleSpec;
static const struct pb_message pb_autoscaling_v1_ScaleStatus;
static const struct pb_message pb_autoscaling_v1_Scale;
static const struct pb_message pb_autoscaling_v1_CrossVersionObjectReference;
static const struct pb_message pb_autoscaling_v1_HorizontalPodAutoscalerSpec;
static const struct pb_message pb_autoscaling_v1_HorizontalPodAutoscalerStatus;
static const struct pb_message pb_autoscaling_v1_HorizontalPodAutoscaler;
static const struct pb_message pb_authentication_v1_BoundObjectReference;
static const struct pb_message pb_authentication_v1_TokenRequestSpec;
static const struct pb_message pb_authentication_v1_TokenRequestStatus;
static const struct pb_message pb_authentication_v1_TokenRequest;
static const struct pb_message pb_authentication_v1_UserInfo;
static const struct pb_message pb_authentication_v1_SelfSubjectReviewStatus;
static const struct pb_message pb_authentication_v1_SelfSubjectReview;
static const struct pb_message pb_authentication_v1_TokenReviewSpec;
static const struct pb_message pb_authentication_v1_TokenReviewStatus;
static const struct pb_message pb_authentication_v1_TokenReview;
static const struct pb_message pb_meta_v1_FieldSelectorRequirement;
static const struct pb_message pb_authorization_v1_FieldSelectorAttributes;
static const struct pb_message pb_authorization_v1_LabelSelectorAttributes;
static const struct pb_message pb_authorization_v1_ResourceAttributes;
static const struct pb_message pb_authorization_v1_NonResourceAttributes;
static const struct pb_message pb_authorization_v1_SelfSubjectAccessReviewSpec;
static const struct pb_message pb_authorization_v1_SubjectAccessReviewStatus;
static const struct pb_message pb_authorization_v1_SelfSubjectAccessReview;
static const struct pb_message pb_authorization_v1_SelfSubjectRulesReviewSpec;
static const struct pb_message pb_authorization_v1_ResourceRule;
static const struct pb_message pb_authorization_v1_NonResourceRule;
static const struct pb_message pb_authorization_v1_SubjectRulesReviewStatus;
static const struct pb_message pb_authorization_v1_SelfSubjectRulesReview;
static const struct pb_message pb_authorization_v1_SubjectAccessReviewSpec;
static const struct pb_message pb_authorization_v1_SubjectAccessReview;
static const struct pb_message pb_authorization_v1_LocalSubjectAccessReview;
static const struct pb_message pb_rbac_v1_PolicyRule;
static const struct pb_message pb_rbac_v1_Role;
static const struct pb_message pb_rbac_v1_AggregationRule;
static const struct pb_message pb_rbac_v1_ClusterRole;
static const struct pb_message pb_rbac_v1_Subject;
static const struct pb_message pb_rbac_v1_RoleRef;
static const struct pb_message pb_rbac_v1_RoleBinding;
static const struct pb_message pb_rbac_v1_ClusterRoleBinding;
static const struct pb_message pb_networking_v1_ServiceBackendPort;
static const struct pb_message pb_networking_v1_IngressServiceBackend;
static const struct pb_message pb_networking_v1_IngressBackend;
static const struct pb_message pb_networking_v1_IngressTLS;
static const struct pb_message pb_networking_v1_HTTPIngressPath;
static const struct pb_message pb_networking_v1_HTTPIngressRuleValue;
static const struct pb_message pb_networking_v1_IngressRuleValue;
static const struct pb_message pb_networking_v1_IngressRule;
static const struct pb_message pb_networking_v1_IngressSpec;
static const struct pb_message pb_networking_v1_IngressPortStatus;
static const struct pb_message pb_networking_v1_IngressLoadBalancerIngress;
static const struct pb_message pb_networking_v1_IngressLoadBalancerStatus;
static const struct pb_message pb_networking_v1_IngressStatus;
static const struct pb_message pb_networking_v1_Ingress;
static const struct pb_message pb_networking_v1_IngressClassParametersReference;
static const struct pb_message pb_networking_v1_IngressClassSpec;
static const struct pb_message pb_networking_v1_IngressClass;
static const struct pb_message pb_networking_v1_NetworkPolicyPort;
static const struct pb_message pb_networking_v1_IPBlock;
static const struct pb_message pb_networking_v1_NetworkPolicyPeer;
static const struct pb_message pb_networking_v1_NetworkPolicyIngressRule;
static const struct pb_message pb_networking_v1_NetworkPolicyEgressRule;
static const struct pb_message pb_networking_v1_NetworkPolicySpec;
static const struct pb_message pb_networking_v1_NetworkPolicy;
static const struct pb_message pb_certificates_v1_CertificateSigningRequestSpec;
static const struct pb_message pb_certificates_v1_CertificateSigningRequestCondition;
static const struct pb_message pb_certificates_v1_CertificateSigningRequestStatus;
static const struct pb_message pb_certificates_v1_CertificateSigningRequest;

static const struct pb_field pb_meta_v1_OwnerReference_fields[] = {
    {1, "kind", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "uid", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "apiVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "controller", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {7, "blockOwnerDeletion", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_meta_v1_OwnerReference, "meta.v1.OwnerReference");

static const struct pb_field pb_meta_v1_ManagedFieldsEntry_fields[] = {
    {1, "manager", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "operation", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "apiVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "time", PB_TIME, PB_SINGLE, PB_KEEP, NULL},
    {6, "fieldsType", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "fieldsV1", PB_RAWJSON, PB_SINGLE, PB_KEEP, NULL},
    {8, "subresource", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_meta_v1_ManagedFieldsEntry, "meta.v1.ManagedFieldsEntry");

static const struct pb_field pb_meta_v1_ObjectMeta_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "generateName", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "namespace", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "selfLink", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "uid", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "resourceVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "generation", PB_INT64, PB_SINGLE, 0, NULL},
    {8, "creationTimestamp", PB_TIME, PB_SINGLE, 0, NULL},
    {9, "deletionTimestamp", PB_TIME, PB_SINGLE, PB_KEEP, NULL},
    {10, "deletionGracePeriodSeconds", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {11, "labels", PB_STRING, PB_MAP, 0, NULL},
    {12, "annotations", PB_STRING, PB_MAP, 0, NULL},
    {13, "ownerReferences", PB_MESSAGE, PB_REPEATED, 0, &pb_meta_v1_OwnerReference},
    {14, "finalizers", PB_STRING, PB_REPEATED, 0, NULL},
    {17, "managedFields", PB_MESSAGE, PB_REPEATED, 0, &pb_meta_v1_ManagedFieldsEntry},
};
PB_MESSAGE_DEFINE(pb_meta_v1_ObjectMeta, "meta.v1.ObjectMeta");

static const struct pb_field pb_core_v1_NamespaceSpec_fields[] = {
    {1, "finalizers", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NamespaceSpec, "core.v1.NamespaceSpec");

static const struct pb_field pb_core_v1_NamespaceCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {5, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NamespaceCondition, "core.v1.NamespaceCondition");

static const struct pb_field pb_core_v1_NamespaceStatus_fields[] = {
    {1, "phase", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_NamespaceCondition},
};
PB_MESSAGE_DEFINE(pb_core_v1_NamespaceStatus, "core.v1.NamespaceStatus");

static const struct pb_field pb_core_v1_Namespace_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_NamespaceSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_NamespaceStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_Namespace, "core.v1.Namespace");

static const struct pb_field pb_core_v1_HostPathVolumeSource_fields[] = {
    {1, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "type", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_HostPathVolumeSource, "core.v1.HostPathVolumeSource");

static const struct pb_field pb_core_v1_EmptyDirVolumeSource_fields[] = {
    {1, "medium", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "sizeLimit", PB_QUANTITY, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_EmptyDirVolumeSource, "core.v1.EmptyDirVolumeSource");

static const struct pb_field pb_core_v1_GCEPersistentDiskVolumeSource_fields[] = {
    {1, "pdName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "partition", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_GCEPersistentDiskVolumeSource,
		  "core.v1.GCEPersistentDiskVolumeSource");

static const struct pb_field pb_core_v1_AWSElasticBlockStoreVolumeSource_fields[] = {
    {1, "volumeID", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "partition", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_AWSElasticBlockStoreVolumeSource,
		  "core.v1.AWSElasticBlockStoreVolumeSource");

static const struct pb_field pb_core_v1_GitRepoVolumeSource_fields[] = {
    {1, "repository", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "revision", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "directory", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_GitRepoVolumeSource, "core.v1.GitRepoVolumeSource");

static const struct pb_field pb_core_v1_KeyToPath_fields[] = {
    {1, "key", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "mode", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_KeyToPath, "core.v1.KeyToPath");

static const struct pb_field pb_core_v1_SecretVolumeSource_fields[] = {
    {1, "secretName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "items", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_KeyToPath},
    {3, "defaultMode", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {4, "optional", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_SecretVolumeSource, "core.v1.SecretVolumeSource");

static const struct pb_field pb_core_v1_NFSVolumeSource_fields[] = {
    {1, "server", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NFSVolumeSource, "core.v1.NFSVolumeSource");

static const struct pb_field pb_core_v1_LocalObjectReference_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_LocalObjectReference, "core.v1.LocalObjectReference");

static const struct pb_field pb_core_v1_ISCSIVolumeSource_fields[] = {
    {1, "targetPortal", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "iqn", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "lun", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "iscsiInterface", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {7, "portals", PB_STRING, PB_REPEATED, 0, NULL},
    {8, "chapAuthDiscovery", PB_BOOL, PB_SINGLE, 0, NULL},
    {10, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LocalObjectReference},
    {11, "chapAuthSession", PB_BOOL, PB_SINGLE, 0, NULL},
    {12, "initiatorName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ISCSIVolumeSource, "core.v1.ISCSIVolumeSource");

static const struct pb_field pb_core_v1_GlusterfsVolumeSource_fields[] = {
    {1, "endpoints", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_GlusterfsVolumeSource, "core.v1.GlusterfsVolumeSource");

static const struct pb_field pb_core_v1_PersistentVolumeClaimVolumeSource_fields[] = {
    {1, "claimName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PersistentVolumeClaimVolumeSource,
		  "core.v1.PersistentVolumeClaimVolumeSource");

static const struct pb_field pb_core_v1_RBDVolumeSource_fields[] = {
    {1, "monitors", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "image", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "pool", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "user", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "keyring", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LocalObjectReference},
    {8, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_RBDVolumeSource, "core.v1.RBDVolumeSource");

static const struct pb_field pb_core_v1_FlexVolumeSource_fields[] = {
    {1, "driver", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LocalObjectReference},
    {4, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {5, "options", PB_STRING, PB_MAP, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_FlexVolumeSource, "core.v1.FlexVolumeSource");

static const struct pb_field pb_core_v1_CinderVolumeSource_fields[] = {
    {1, "volumeID", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {4, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LocalObjectReference},
};
PB_MESSAGE_DEFINE(pb_core_v1_CinderVolumeSource, "core.v1.CinderVolumeSource");

static const struct pb_field pb_core_v1_CephFSVolumeSource_fields[] = {
    {1, "monitors", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "user", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "secretFile", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LocalObjectReference},
    {6, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_CephFSVolumeSource, "core.v1.CephFSVolumeSource");

static const struct pb_field pb_core_v1_FlockerVolumeSource_fields[] = {
    {1, "datasetName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "datasetUUID", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_FlockerVolumeSource, "core.v1.FlockerVolumeSource");

static const struct pb_field pb_core_v1_ObjectFieldSelector_fields[] = {
    {1, "apiVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fieldPath", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ObjectFieldSelector, "core.v1.ObjectFieldSelector");

static const struct pb_field pb_core_v1_ResourceFieldSelector_fields[] = {
    {1, "containerName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "resource", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "divisor", PB_QUANTITY, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ResourceFieldSelector, "core.v1.ResourceFieldSelector");

static const struct pb_field pb_core_v1_DownwardAPIVolumeFile_fields[] = {
    {1, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fieldRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ObjectFieldSelector},
    {3, "resourceFieldRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ResourceFieldSelector},
    {4, "mode", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_DownwardAPIVolumeFile, "core.v1.DownwardAPIVolumeFile");

static const struct pb_field pb_core_v1_DownwardAPIVolumeSource_fields[] = {
    {1, "items", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_DownwardAPIVolumeFile},
    {2, "defaultMode", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_DownwardAPIVolumeSource, "core.v1.DownwardAPIVolumeSource");

static const struct pb_field pb_core_v1_FCVolumeSource_fields[] = {
    {1, "targetWWNs", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "lun", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {3, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {5, "wwids", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_FCVolumeSource, "core.v1.FCVolumeSource");

static const struct pb_field pb_core_v1_AzureFileVolumeSource_fields[] = {
    {1, "secretName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "shareName", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_AzureFileVolumeSource, "core.v1.AzureFileVolumeSource");

static const struct pb_field pb_core_v1_ConfigMapVolumeSource_fields[] = {
    {1, "localObjectReference", PB_MESSAGE, PB_SINGLE, PB_INLINE, &pb_core_v1_LocalObjectReference},
    {2, "items", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_KeyToPath},
    {3, "defaultMode", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {4, "optional", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ConfigMapVolumeSource, "core.v1.ConfigMapVolumeSource");

static const struct pb_field pb_core_v1_VsphereVirtualDiskVolumeSource_fields[] = {
    {1, "volumePath", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "storagePolicyName", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "storagePolicyID", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_VsphereVirtualDiskVolumeSource,
		  "core.v1.VsphereVirtualDiskVolumeSource");

static const struct pb_field pb_core_v1_QuobyteVolumeSource_fields[] = {
    {1, "registry", PB_STRING, PB_SINGLE, 0, NULL}, {2, "volume", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},   {4, "user", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "group", PB_STRING, PB_SINGLE, 0, NULL},    {6, "tenant", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_QuobyteVolumeSource, "core.v1.QuobyteVolumeSource");

static const struct pb_field pb_core_v1_AzureDiskVolumeSource_fields[] = {
    {1, "diskName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "diskURI", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "cachingMode", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {4, "fsType", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {5, "readOnly", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {6, "kind", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_AzureDiskVolumeSource, "core.v1.AzureDiskVolumeSource");

static const struct pb_field pb_core_v1_PhotonPersistentDiskVolumeSource_fields[] = {
    {1, "pdID", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PhotonPersistentDiskVolumeSource,
		  "core.v1.PhotonPersistentDiskVolumeSource");

static const struct pb_field pb_core_v1_SecretProjection_fields[] = {
    {1, "localObjectReference", PB_MESSAGE, PB_SINGLE, PB_INLINE, &pb_core_v1_LocalObjectReference},
    {2, "items", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_KeyToPath},
    {4, "optional", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_SecretProjection, "core.v1.SecretProjection");

static const struct pb_field pb_core_v1_DownwardAPIProjection_fields[] = {
    {1, "items", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_DownwardAPIVolumeFile},
};
PB_MESSAGE_DEFINE(pb_core_v1_DownwardAPIProjection, "core.v1.DownwardAPIProjection");

static const struct pb_field pb_core_v1_ConfigMapProjection_fields[] = {
    {1, "localObjectReference", PB_MESSAGE, PB_SINGLE, PB_INLINE, &pb_core_v1_LocalObjectReference},
    {2, "items", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_KeyToPath},
    {4, "optional", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ConfigMapProjection, "core.v1.ConfigMapProjection");

static const struct pb_field pb_core_v1_ServiceAccountTokenProjection_fields[] = {
    {1, "audience", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "expirationSeconds", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {3, "path", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ServiceAccountTokenProjection,
		  "core.v1.ServiceAccountTokenProjection");

static const struct pb_field pb_meta_v1_LabelSelectorRequirement_fields[] = {
    {1, "key", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "operator", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "values", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_meta_v1_LabelSelectorRequirement, "meta.v1.LabelSelectorRequirement");

static const struct pb_field pb_meta_v1_LabelSelector_fields[] = {
    {1, "matchLabels", PB_STRING, PB_MAP, 0, NULL},
    {2, "matchExpressions", PB_MESSAGE, PB_REPEATED, 0, &pb_meta_v1_LabelSelectorRequirement},
};
PB_MESSAGE_DEFINE(pb_meta_v1_LabelSelector, "meta.v1.LabelSelector");

static const struct pb_field pb_core_v1_ClusterTrustBundleProjection_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "signerName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {3, "labelSelector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {4, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "optional", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ClusterTrustBundleProjection, "core.v1.ClusterTrustBundleProjection");

static const struct pb_field pb_core_v1_VolumeProjection_fields[] = {
    {1, "secret", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretProjection},
    {2, "downwardAPI", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_DownwardAPIProjection},
    {3, "configMap", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ConfigMapProjection},
    {4, "serviceAccountToken", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_ServiceAccountTokenProjection},
    {5, "clusterTrustBundle", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_ClusterTrustBundleProjection},
};
PB_MESSAGE_DEFINE(pb_core_v1_VolumeProjection, "core.v1.VolumeProjection");

static const struct pb_field pb_core_v1_ProjectedVolumeSource_fields[] = {
    {1, "sources", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_VolumeProjection},
    {2, "defaultMode", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ProjectedVolumeSource, "core.v1.ProjectedVolumeSource");

static const struct pb_field pb_core_v1_PortworxVolumeSource_fields[] = {
    {1, "volumeID", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PortworxVolumeSource, "core.v1.PortworxVolumeSource");

static const struct pb_field pb_core_v1_ScaleIOVolumeSource_fields[] = {
    {1, "gateway", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "system", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LocalObjectReference},
    {4, "sslEnabled", PB_BOOL, PB_SINGLE, 0, NULL},
    {5, "protectionDomain", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "storagePool", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "storageMode", PB_STRING, PB_SINGLE, 0, NULL},
    {8, "volumeName", PB_STRING, PB_SINGLE, 0, NULL},
    {9, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {10, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ScaleIOVolumeSource, "core.v1.ScaleIOVolumeSource");

static const struct pb_field pb_core_v1_StorageOSVolumeSource_fields[] = {
    {1, "volumeName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "volumeNamespace", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {5, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LocalObjectReference},
};
PB_MESSAGE_DEFINE(pb_core_v1_StorageOSVolumeSource, "core.v1.StorageOSVolumeSource");

static const struct pb_field pb_core_v1_CSIVolumeSource_fields[] = {
    {1, "driver", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "readOnly", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {3, "fsType", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {4, "volumeAttributes", PB_STRING, PB_MAP, 0, NULL},
    {5, "nodePublishSecretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LocalObjectReference},
};
PB_MESSAGE_DEFINE(pb_core_v1_CSIVolumeSource, "core.v1.CSIVolumeSource");

static const struct pb_field pb_core_v1_VolumeResourceRequirements_fields[] = {
    {1, "limits", PB_QUANTITY, PB_MAP, 0, NULL},
    {2, "requests", PB_QUANTITY, PB_MAP, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_VolumeResourceRequirements, "core.v1.VolumeResourceRequirements");

static const struct pb_field pb_core_v1_TypedLocalObjectReference_fields[] = {
    {1, "apiGroup", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "kind", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "name", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_TypedLocalObjectReference, "core.v1.TypedLocalObjectReference");

static const struct pb_field pb_core_v1_TypedObjectReference_fields[] = {
    {1, "apiGroup", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "kind", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "namespace", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_TypedObjectReference, "core.v1.TypedObjectReference");

static const struct pb_field pb_core_v1_PersistentVolumeClaimSpec_fields[] = {
    {1, "accessModes", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "resources", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_VolumeResourceRequirements},
    {3, "volumeName", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "selector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {5, "storageClassName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {6, "volumeMode", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {7, "dataSource", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_TypedLocalObjectReference},
    {8, "dataSourceRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_TypedObjectReference},
    {9, "volumeAttributesClassName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PersistentVolumeClaimSpec, "core.v1.PersistentVolumeClaimSpec");

static const struct pb_field pb_core_v1_PersistentVolumeClaimTemplate_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PersistentVolumeClaimSpec},
};
PB_MESSAGE_DEFINE(pb_core_v1_PersistentVolumeClaimTemplate,
		  "core.v1.PersistentVolumeClaimTemplate");

static const struct pb_field pb_core_v1_EphemeralVolumeSource_fields[] = {
    {1, "volumeClaimTemplate", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_PersistentVolumeClaimTemplate},
};
PB_MESSAGE_DEFINE(pb_core_v1_EphemeralVolumeSource, "core.v1.EphemeralVolumeSource");

static const struct pb_field pb_core_v1_ImageVolumeSource_fields[] = {
    {1, "reference", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "pullPolicy", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ImageVolumeSource, "core.v1.ImageVolumeSource");

static const struct pb_field pb_core_v1_VolumeSource_fields[] = {
    {1, "hostPath", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_HostPathVolumeSource},
    {2, "emptyDir", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_EmptyDirVolumeSource},
    {3, "gcePersistentDisk", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_GCEPersistentDiskVolumeSource},
    {4, "awsElasticBlockStore", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_AWSElasticBlockStoreVolumeSource},
    {5, "gitRepo", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_GitRepoVolumeSource},
    {6, "secret", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretVolumeSource},
    {7, "nfs", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NFSVolumeSource},
    {8, "iscsi", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ISCSIVolumeSource},
    {9, "glusterfs", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_GlusterfsVolumeSource},
    {10, "persistentVolumeClaim", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_PersistentVolumeClaimVolumeSource},
    {11, "rbd", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_RBDVolumeSource},
    {12, "flexVolume", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_FlexVolumeSource},
    {13, "cinder", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_CinderVolumeSource},
    {14, "cephfs", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_CephFSVolumeSource},
    {15, "flocker", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_FlockerVolumeSource},
    {16, "downwardAPI", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_DownwardAPIVolumeSource},
    {17, "fc", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_FCVolumeSource},
    {18, "azureFile", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_AzureFileVolumeSource},
    {19, "configMap", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ConfigMapVolumeSource},
    {20, "vsphereVolume", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_VsphereVirtualDiskVolumeSource},
    {21, "quobyte", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_QuobyteVolumeSource},
    {22, "azureDisk", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_AzureDiskVolumeSource},
    {23, "photonPersistentDisk", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_PhotonPersistentDiskVolumeSource},
    {24, "portworxVolume", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_PortworxVolumeSource},
    {25, "scaleIO", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ScaleIOVolumeSource},
    {26, "projected", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ProjectedVolumeSource},
    {27, "storageos", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_StorageOSVolumeSource},
    {28, "csi", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_CSIVolumeSource},
    {29, "ephemeral", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_EphemeralVolumeSource},
    {30, "image", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ImageVolumeSource},
};
PB_MESSAGE_DEFINE(pb_core_v1_VolumeSource, "core.v1.VolumeSource");

static const struct pb_field pb_core_v1_Volume_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "volumeSource", PB_MESSAGE, PB_SINGLE, PB_INLINE, &pb_core_v1_VolumeSource},
};
PB_MESSAGE_DEFINE(pb_core_v1_Volume, "core.v1.Volume");

static const struct pb_field pb_core_v1_ContainerPort_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "hostPort", PB_INT32, PB_SINGLE, 0, NULL},
    {3, "containerPort", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "protocol", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "hostIP", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ContainerPort, "core.v1.ContainerPort");

static const struct pb_field pb_core_v1_ConfigMapEnvSource_fields[] = {
    {1, "localObjectReference", PB_MESSAGE, PB_SINGLE, PB_INLINE, &pb_core_v1_LocalObjectReference},
    {2, "optional", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ConfigMapEnvSource, "core.v1.ConfigMapEnvSource");

static const struct pb_field pb_core_v1_SecretEnvSource_fields[] = {
    {1, "localObjectReference", PB_MESSAGE, PB_SINGLE, PB_INLINE, &pb_core_v1_LocalObjectReference},
    {2, "optional", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_SecretEnvSource, "core.v1.SecretEnvSource");

static const struct pb_field pb_core_v1_EnvFromSource_fields[] = {
    {1, "prefix", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "configMapRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ConfigMapEnvSource},
    {3, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretEnvSource},
};
PB_MESSAGE_DEFINE(pb_core_v1_EnvFromSource, "core.v1.EnvFromSource");

static const struct pb_field pb_core_v1_ConfigMapKeySelector_fields[] = {
    {1, "localObjectReference", PB_MESSAGE, PB_SINGLE, PB_INLINE, &pb_core_v1_LocalObjectReference},
    {2, "key", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "optional", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ConfigMapKeySelector, "core.v1.ConfigMapKeySelector");

static const struct pb_field pb_core_v1_SecretKeySelector_fields[] = {
    {1, "localObjectReference", PB_MESSAGE, PB_SINGLE, PB_INLINE, &pb_core_v1_LocalObjectReference},
    {2, "key", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "optional", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_SecretKeySelector, "core.v1.SecretKeySelector");

static const struct pb_field pb_core_v1_EnvVarSource_fields[] = {
    {1, "fieldRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ObjectFieldSelector},
    {2, "resourceFieldRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ResourceFieldSelector},
    {3, "configMapKeyRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ConfigMapKeySelector},
    {4, "secretKeyRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretKeySelector},
};
PB_MESSAGE_DEFINE(pb_core_v1_EnvVarSource, "core.v1.EnvVarSource");

static const struct pb_field pb_core_v1_EnvVar_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "value", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "valueFrom", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_EnvVarSource},
};
PB_MESSAGE_DEFINE(pb_core_v1_EnvVar, "core.v1.EnvVar");

static const struct pb_field pb_core_v1_ResourceClaim_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "request", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ResourceClaim, "core.v1.ResourceClaim");

static const struct pb_field pb_core_v1_ResourceRequirements_fields[] = {
    {1, "limits", PB_QUANTITY, PB_MAP, 0, NULL},
    {2, "requests", PB_QUANTITY, PB_MAP, 0, NULL},
    {3, "claims", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ResourceClaim},
};
PB_MESSAGE_DEFINE(pb_core_v1_ResourceRequirements, "core.v1.ResourceRequirements");

static const struct pb_field pb_core_v1_ContainerResizePolicy_fields[] = {
    {1, "resourceName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "restartPolicy", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ContainerResizePolicy, "core.v1.ContainerResizePolicy");

static const struct pb_field pb_core_v1_VolumeMount_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {3, "mountPath", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "subPath", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "mountPropagation", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {6, "subPathExpr", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "recursiveReadOnly", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_VolumeMount, "core.v1.VolumeMount");

static const struct pb_field pb_core_v1_VolumeDevice_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "devicePath", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_VolumeDevice, "core.v1.VolumeDevice");

static const struct pb_field pb_core_v1_ExecAction_fields[] = {
    {1, "command", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ExecAction, "core.v1.ExecAction");

static const struct pb_field pb_core_v1_HTTPHeader_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "value", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_HTTPHeader, "core.v1.HTTPHeader");

static const struct pb_field pb_core_v1_HTTPGetAction_fields[] = {
    {1, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "port", PB_INTORSTRING, PB_SINGLE, 0, NULL},
    {3, "host", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "scheme", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "httpHeaders", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_HTTPHeader},
};
PB_MESSAGE_DEFINE(pb_core_v1_HTTPGetAction, "core.v1.HTTPGetAction");

static const struct pb_field pb_core_v1_TCPSocketAction_fields[] = {
    {1, "port", PB_INTORSTRING, PB_SINGLE, 0, NULL},
    {2, "host", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_TCPSocketAction, "core.v1.TCPSocketAction");

static const struct pb_field pb_core_v1_GRPCAction_fields[] = {
    {1, "port", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "service", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_GRPCAction, "core.v1.GRPCAction");

static const struct pb_field pb_core_v1_ProbeHandler_fields[] = {
    {1, "exec", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ExecAction},
    {2, "httpGet", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_HTTPGetAction},
    {3, "tcpSocket", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_TCPSocketAction},
    {4, "grpc", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_GRPCAction},
};
PB_MESSAGE_DEFINE(pb_core_v1_ProbeHandler, "core.v1.ProbeHandler");

static const struct pb_field pb_core_v1_Probe_fields[] = {
    {1, "handler", PB_MESSAGE, PB_SINGLE, PB_INLINE, &pb_core_v1_ProbeHandler},
    {2, "initialDelaySeconds", PB_INT32, PB_SINGLE, 0, NULL},
    {3, "timeoutSeconds", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "periodSeconds", PB_INT32, PB_SINGLE, 0, NULL},
    {5, "successThreshold", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "failureThreshold", PB_INT32, PB_SINGLE, 0, NULL},
    {7, "terminationGracePeriodSeconds", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_Probe, "core.v1.Probe");

static const struct pb_field pb_core_v1_SleepAction_fields[] = {
    {1, "seconds", PB_INT64, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_SleepAction, "core.v1.SleepAction");

static const struct pb_field pb_core_v1_LifecycleHandler_fields[] = {
    {1, "exec", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ExecAction},
    {2, "httpGet", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_HTTPGetAction},
    {3, "tcpSocket", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_TCPSocketAction},
    {4, "sleep", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SleepAction},
};
PB_MESSAGE_DEFINE(pb_core_v1_LifecycleHandler, "core.v1.LifecycleHandler");

static const struct pb_field pb_core_v1_Lifecycle_fields[] = {
    {1, "postStart", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LifecycleHandler},
    {2, "preStop", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LifecycleHandler},
};
PB_MESSAGE_DEFINE(pb_core_v1_Lifecycle, "core.v1.Lifecycle");

static const struct pb_field pb_core_v1_Capabilities_fields[] = {
    {1, "add", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "drop", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_Capabilities, "core.v1.Capabilities");

static const struct pb_field pb_core_v1_SELinuxOptions_fields[] = {
    {1, "user", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "role", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "level", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_SELinuxOptions, "core.v1.SELinuxOptions");

static const struct pb_field pb_core_v1_WindowsSecurityContextOptions_fields[] = {
    {1, "gmsaCredentialSpecName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "gmsaCredentialSpec", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {3, "runAsUserName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {4, "hostProcess", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_WindowsSecurityContextOptions,
		  "core.v1.WindowsSecurityContextOptions");

static const struct pb_field pb_core_v1_SeccompProfile_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "localhostProfile", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_SeccompProfile, "core.v1.SeccompProfile");

static const struct pb_field pb_core_v1_AppArmorProfile_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "localhostProfile", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_AppArmorProfile, "core.v1.AppArmorProfile");

static const struct pb_field pb_core_v1_SecurityContext_fields[] = {
    {1, "capabilities", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_Capabilities},
    {2, "privileged", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {3, "seLinuxOptions", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SELinuxOptions},
    {4, "runAsUser", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {5, "runAsNonRoot", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {6, "readOnlyRootFilesystem", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {7, "allowPrivilegeEscalation", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {8, "runAsGroup", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {9, "procMount", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {10, "windowsOptions", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_WindowsSecurityContextOptions},
    {11, "seccompProfile", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SeccompProfile},
    {12, "appArmorProfile", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_AppArmorProfile},
};
PB_MESSAGE_DEFINE(pb_core_v1_SecurityContext, "core.v1.SecurityContext");

static const struct pb_field pb_core_v1_Container_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "image", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "command", PB_STRING, PB_REPEATED, 0, NULL},
    {4, "args", PB_STRING, PB_REPEATED, 0, NULL},
    {5, "workingDir", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "ports", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ContainerPort},
    {7, "env", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_EnvVar},
    {8, "resources", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ResourceRequirements},
    {9, "volumeMounts", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_VolumeMount},
    {10, "livenessProbe", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_Probe},
    {11, "readinessProbe", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_Probe},
    {12, "lifecycle", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_Lifecycle},
    {13, "terminationMessagePath", PB_STRING, PB_SINGLE, 0, NULL},
    {14, "imagePullPolicy", PB_STRING, PB_SINGLE, 0, NULL},
    {15, "securityContext", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecurityContext},
    {16, "stdin", PB_BOOL, PB_SINGLE, 0, NULL},
    {17, "stdinOnce", PB_BOOL, PB_SINGLE, 0, NULL},
    {18, "tty", PB_BOOL, PB_SINGLE, 0, NULL},
    {19, "envFrom", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_EnvFromSource},
    {20, "terminationMessagePolicy", PB_STRING, PB_SINGLE, 0, NULL},
    {21, "volumeDevices", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_VolumeDevice},
    {22, "startupProbe", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_Probe},
    {23, "resizePolicy", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ContainerResizePolicy},
    {24, "restartPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_Container, "core.v1.Container");

static const struct pb_field pb_core_v1_EphemeralContainerCommon_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "image", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "command", PB_STRING, PB_REPEATED, 0, NULL},
    {4, "args", PB_STRING, PB_REPEATED, 0, NULL},
    {5, "workingDir", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "ports", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ContainerPort},
    {7, "env", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_EnvVar},
    {8, "resources", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ResourceRequirements},
    {9, "volumeMounts", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_VolumeMount},
    {10, "livenessProbe", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_Probe},
    {11, "readinessProbe", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_Probe},
    {12, "lifecycle", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_Lifecycle},
    {13, "terminationMessagePath", PB_STRING, PB_SINGLE, 0, NULL},
    {14, "imagePullPolicy", PB_STRING, PB_SINGLE, 0, NULL},
    {15, "securityContext", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecurityContext},
    {16, "stdin", PB_BOOL, PB_SINGLE, 0, NULL},
    {17, "stdinOnce", PB_BOOL, PB_SINGLE, 0, NULL},
    {18, "tty", PB_BOOL, PB_SINGLE, 0, NULL},
    {19, "envFrom", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_EnvFromSource},
    {20, "terminationMessagePolicy", PB_STRING, PB_SINGLE, 0, NULL},
    {21, "volumeDevices", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_VolumeDevice},
    {22, "startupProbe", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_Probe},
    {23, "resizePolicy", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ContainerResizePolicy},
    {24, "restartPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_EphemeralContainerCommon, "core.v1.EphemeralContainerCommon");

static const struct pb_field pb_core_v1_EphemeralContainer_fields[] = {
    {1, "ephemeralContainerCommon", PB_MESSAGE, PB_SINGLE, PB_INLINE,
     &pb_core_v1_EphemeralContainerCommon},
    {2, "targetContainerName", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_EphemeralContainer, "core.v1.EphemeralContainer");

static const struct pb_field pb_core_v1_Sysctl_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "value", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_Sysctl, "core.v1.Sysctl");

static const struct pb_field pb_core_v1_PodSecurityContext_fields[] = {
    {1, "seLinuxOptions", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SELinuxOptions},
    {2, "runAsUser", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {3, "runAsNonRoot", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {4, "supplementalGroups", PB_INT64, PB_REPEATED, 0, NULL},
    {5, "fsGroup", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {6, "runAsGroup", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {7, "sysctls", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_Sysctl},
    {8, "windowsOptions", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_WindowsSecurityContextOptions},
    {9, "fsGroupChangePolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {10, "seccompProfile", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SeccompProfile},
    {11, "appArmorProfile", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_AppArmorProfile},
    {12, "supplementalGroupsPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {13, "seLinuxChangePolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodSecurityContext, "core.v1.PodSecurityContext");

static const struct pb_field pb_core_v1_NodeSelectorRequirement_fields[] = {
    {1, "key", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "operator", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "values", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeSelectorRequirement, "core.v1.NodeSelectorRequirement");

static const struct pb_field pb_core_v1_NodeSelectorTerm_fields[] = {
    {1, "matchExpressions", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_NodeSelectorRequirement},
    {2, "matchFields", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_NodeSelectorRequirement},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeSelectorTerm, "core.v1.NodeSelectorTerm");

static const struct pb_field pb_core_v1_NodeSelector_fields[] = {
    {1, "nodeSelectorTerms", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_NodeSelectorTerm},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeSelector, "core.v1.NodeSelector");

static const struct pb_field pb_core_v1_PreferredSchedulingTerm_fields[] = {
    {1, "weight", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "preference", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_NodeSelectorTerm},
};
PB_MESSAGE_DEFINE(pb_core_v1_PreferredSchedulingTerm, "core.v1.PreferredSchedulingTerm");

static const struct pb_field pb_core_v1_NodeAffinity_fields[] = {
    {1, "requiredDuringSchedulingIgnoredDuringExecution", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_NodeSelector},
    {2, "preferredDuringSchedulingIgnoredDuringExecution", PB_MESSAGE, PB_REPEATED, 0,
     &pb_core_v1_PreferredSchedulingTerm},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeAffinity, "core.v1.NodeAffinity");

static const struct pb_field pb_core_v1_PodAffinityTerm_fields[] = {
    {1, "labelSelector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {2, "namespaces", PB_STRING, PB_REPEATED, 0, NULL},
    {3, "topologyKey", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "namespaceSelector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {5, "matchLabelKeys", PB_STRING, PB_REPEATED, 0, NULL},
    {6, "mismatchLabelKeys", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodAffinityTerm, "core.v1.PodAffinityTerm");

static const struct pb_field pb_core_v1_WeightedPodAffinityTerm_fields[] = {
    {1, "weight", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "podAffinityTerm", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PodAffinityTerm},
};
PB_MESSAGE_DEFINE(pb_core_v1_WeightedPodAffinityTerm, "core.v1.WeightedPodAffinityTerm");

static const struct pb_field pb_core_v1_PodAffinity_fields[] = {
    {1, "requiredDuringSchedulingIgnoredDuringExecution", PB_MESSAGE, PB_REPEATED, 0,
     &pb_core_v1_PodAffinityTerm},
    {2, "preferredDuringSchedulingIgnoredDuringExecution", PB_MESSAGE, PB_REPEATED, 0,
     &pb_core_v1_WeightedPodAffinityTerm},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodAffinity, "core.v1.PodAffinity");

static const struct pb_field pb_core_v1_PodAntiAffinity_fields[] = {
    {1, "requiredDuringSchedulingIgnoredDuringExecution", PB_MESSAGE, PB_REPEATED, 0,
     &pb_core_v1_PodAffinityTerm},
    {2, "preferredDuringSchedulingIgnoredDuringExecution", PB_MESSAGE, PB_REPEATED, 0,
     &pb_core_v1_WeightedPodAffinityTerm},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodAntiAffinity, "core.v1.PodAntiAffinity");

static const struct pb_field pb_core_v1_Affinity_fields[] = {
    {1, "nodeAffinity", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NodeAffinity},
    {2, "podAffinity", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_PodAffinity},
    {3, "podAntiAffinity", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_PodAntiAffinity},
};
PB_MESSAGE_DEFINE(pb_core_v1_Affinity, "core.v1.Affinity");

static const struct pb_field pb_core_v1_Toleration_fields[] = {
    {1, "key", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "operator", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "value", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "effect", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "tolerationSeconds", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_Toleration, "core.v1.Toleration");

static const struct pb_field pb_core_v1_HostAlias_fields[] = {
    {1, "ip", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "hostnames", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_HostAlias, "core.v1.HostAlias");

static const struct pb_field pb_core_v1_PodDNSConfigOption_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "value", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodDNSConfigOption, "core.v1.PodDNSConfigOption");

static const struct pb_field pb_core_v1_PodDNSConfig_fields[] = {
    {1, "nameservers", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "searches", PB_STRING, PB_REPEATED, 0, NULL},
    {3, "options", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_PodDNSConfigOption},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodDNSConfig, "core.v1.PodDNSConfig");

static const struct pb_field pb_core_v1_PodReadinessGate_fields[] = {
    {1, "conditionType", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodReadinessGate, "core.v1.PodReadinessGate");

static const struct pb_field pb_core_v1_TopologySpreadConstraint_fields[] = {
    {1, "maxSkew", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "topologyKey", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "whenUnsatisfiable", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "labelSelector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {5, "minDomains", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {6, "nodeAffinityPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {7, "nodeTaintsPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {8, "matchLabelKeys", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_TopologySpreadConstraint, "core.v1.TopologySpreadConstraint");

static const struct pb_field pb_core_v1_PodOS_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodOS, "core.v1.PodOS");

static const struct pb_field pb_core_v1_PodSchedulingGate_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodSchedulingGate, "core.v1.PodSchedulingGate");

static const struct pb_field pb_core_v1_PodResourceClaim_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "resourceClaimName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {4, "resourceClaimTemplateName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodResourceClaim, "core.v1.PodResourceClaim");

static const struct pb_field pb_core_v1_PodSpec_fields[] = {
    {1, "volumes", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_Volume},
    {2, "containers", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_Container},
    {3, "restartPolicy", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "terminationGracePeriodSeconds", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {5, "activeDeadlineSeconds", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {6, "dnsPolicy", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "nodeSelector", PB_STRING, PB_MAP, 0, NULL},
    {8, "serviceAccountName", PB_STRING, PB_SINGLE, 0, NULL},
    {9, "serviceAccount", PB_STRING, PB_SINGLE, 0, NULL},
    {10, "nodeName", PB_STRING, PB_SINGLE, 0, NULL},
    {11, "hostNetwork", PB_BOOL, PB_SINGLE, 0, NULL},
    {12, "hostPID", PB_BOOL, PB_SINGLE, 0, NULL},
    {13, "hostIPC", PB_BOOL, PB_SINGLE, 0, NULL},
    {14, "securityContext", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_PodSecurityContext},
    {15, "imagePullSecrets", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_LocalObjectReference},
    {16, "hostname", PB_STRING, PB_SINGLE, 0, NULL},
    {17, "subdomain", PB_STRING, PB_SINGLE, 0, NULL},
    {18, "affinity", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_Affinity},
    {19, "schedulerName", PB_STRING, PB_SINGLE, 0, NULL},
    {20, "initContainers", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_Container},
    {21, "automountServiceAccountToken", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {22, "tolerations", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_Toleration},
    {23, "hostAliases", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_HostAlias},
    {24, "priorityClassName", PB_STRING, PB_SINGLE, 0, NULL},
    {25, "priority", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {26, "dnsConfig", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_PodDNSConfig},
    {27, "shareProcessNamespace", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {28, "readinessGates", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_PodReadinessGate},
    {29, "runtimeClassName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {30, "enableServiceLinks", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {31, "preemptionPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {32, "overhead", PB_QUANTITY, PB_MAP, 0, NULL},
    {33, "topologySpreadConstraints", PB_MESSAGE, PB_REPEATED, 0,
     &pb_core_v1_TopologySpreadConstraint},
    {34, "ephemeralContainers", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_EphemeralContainer},
    {35, "setHostnameAsFQDN", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {36, "os", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_PodOS},
    {37, "hostUsers", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {38, "schedulingGates", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_PodSchedulingGate},
    {39, "resourceClaims", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_PodResourceClaim},
    {40, "resources", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ResourceRequirements},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodSpec, "core.v1.PodSpec");

static const struct pb_field pb_core_v1_PodCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "lastProbeTime", PB_TIME, PB_SINGLE, 0, NULL},
    {4, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {5, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodCondition, "core.v1.PodCondition");

static const struct pb_field pb_core_v1_HostIP_fields[] = {
    {1, "ip", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_HostIP, "core.v1.HostIP");

static const struct pb_field pb_core_v1_PodIP_fields[] = {
    {1, "ip", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodIP, "core.v1.PodIP");

static const struct pb_field pb_core_v1_ContainerStateWaiting_fields[] = {
    {1, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ContainerStateWaiting, "core.v1.ContainerStateWaiting");

static const struct pb_field pb_core_v1_ContainerStateRunning_fields[] = {
    {1, "startedAt", PB_TIME, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ContainerStateRunning, "core.v1.ContainerStateRunning");

static const struct pb_field pb_core_v1_ContainerStateTerminated_fields[] = {
    {1, "exitCode", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "signal", PB_INT32, PB_SINGLE, 0, NULL},
    {3, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "message", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "startedAt", PB_TIME, PB_SINGLE, 0, NULL},
    {6, "finishedAt", PB_TIME, PB_SINGLE, 0, NULL},
    {7, "containerID", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ContainerStateTerminated, "core.v1.ContainerStateTerminated");

static const struct pb_field pb_core_v1_ContainerState_fields[] = {
    {1, "waiting", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ContainerStateWaiting},
    {2, "running", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ContainerStateRunning},
    {3, "terminated", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ContainerStateTerminated},
};
PB_MESSAGE_DEFINE(pb_core_v1_ContainerState, "core.v1.ContainerState");

static const struct pb_field pb_core_v1_VolumeMountStatus_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "mountPath", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {4, "recursiveReadOnly", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_VolumeMountStatus, "core.v1.VolumeMountStatus");

static const struct pb_field pb_core_v1_LinuxContainerUser_fields[] = {
    {1, "uid", PB_INT64, PB_SINGLE, 0, NULL},
    {2, "gid", PB_INT64, PB_SINGLE, 0, NULL},
    {3, "supplementalGroups", PB_INT64, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_LinuxContainerUser, "core.v1.LinuxContainerUser");

static const struct pb_field pb_core_v1_ContainerUser_fields[] = {
    {1, "linux", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LinuxContainerUser},
};
PB_MESSAGE_DEFINE(pb_core_v1_ContainerUser, "core.v1.ContainerUser");

static const struct pb_field pb_core_v1_ResourceHealth_fields[] = {
    {1, "resourceID", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "health", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ResourceHealth, "core.v1.ResourceHealth");

static const struct pb_field pb_core_v1_ResourceStatus_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "resources", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ResourceHealth},
};
PB_MESSAGE_DEFINE(pb_core_v1_ResourceStatus, "core.v1.ResourceStatus");

static const struct pb_field pb_core_v1_ContainerStatus_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "state", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ContainerState},
    {3, "lastState", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ContainerState},
    {4, "ready", PB_BOOL, PB_SINGLE, 0, NULL},
    {5, "restartCount", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "image", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "imageID", PB_STRING, PB_SINGLE, 0, NULL},
    {8, "containerID", PB_STRING, PB_SINGLE, 0, NULL},
    {9, "started", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {10, "allocatedResources", PB_QUANTITY, PB_MAP, 0, NULL},
    {11, "resources", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ResourceRequirements},
    {12, "volumeMounts", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_VolumeMountStatus},
    {13, "user", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ContainerUser},
    {14, "allocatedResourcesStatus", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ResourceStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_ContainerStatus, "core.v1.ContainerStatus");

static const struct pb_field pb_core_v1_PodResourceClaimStatus_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "resourceClaimName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodResourceClaimStatus, "core.v1.PodResourceClaimStatus");

static const struct pb_field pb_core_v1_PodStatus_fields[] = {
    {1, "phase", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_PodCondition},
    {3, "message", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "hostIP", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "podIP", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "startTime", PB_TIME, PB_SINGLE, PB_KEEP, NULL},
    {8, "containerStatuses", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ContainerStatus},
    {9, "qosClass", PB_STRING, PB_SINGLE, 0, NULL},
    {10, "initContainerStatuses", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ContainerStatus},
    {11, "nominatedNodeName", PB_STRING, PB_SINGLE, 0, NULL},
    {12, "podIPs", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_PodIP},
    {13, "ephemeralContainerStatuses", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ContainerStatus},
    {14, "resize", PB_STRING, PB_SINGLE, 0, NULL},
    {15, "resourceClaimStatuses", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_PodResourceClaimStatus},
    {16, "hostIPs", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_HostIP},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodStatus, "core.v1.PodStatus");

static const struct pb_field pb_core_v1_Pod_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PodSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PodStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_Pod, "core.v1.Pod");

static const struct pb_field pb_core_v1_Taint_fields[] = {
    {1, "key", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "value", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "effect", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "timeAdded", PB_TIME, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_Taint, "core.v1.Taint");

static const struct pb_field pb_core_v1_ConfigMapNodeConfigSource_fields[] = {
    {1, "namespace", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "uid", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "resourceVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "kubeletConfigKey", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ConfigMapNodeConfigSource, "core.v1.ConfigMapNodeConfigSource");

static const struct pb_field pb_core_v1_NodeConfigSource_fields[] = {
    {2, "configMap", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ConfigMapNodeConfigSource},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeConfigSource, "core.v1.NodeConfigSource");

static const struct pb_field pb_core_v1_NodeSpec_fields[] = {
    {1, "podCIDR", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "externalID", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "providerID", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "unschedulable", PB_BOOL, PB_SINGLE, 0, NULL},
    {5, "taints", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_Taint},
    {6, "configSource", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NodeConfigSource},
    {7, "podCIDRs", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeSpec, "core.v1.NodeSpec");

static const struct pb_field pb_core_v1_NodeCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "lastHeartbeatTime", PB_TIME, PB_SINGLE, 0, NULL},
    {4, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {5, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeCondition, "core.v1.NodeCondition");

static const struct pb_field pb_core_v1_NodeAddress_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "address", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeAddress, "core.v1.NodeAddress");

static const struct pb_field pb_core_v1_DaemonEndpoint_fields[] = {
    {1, "Port", PB_INT32, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_DaemonEndpoint, "core.v1.DaemonEndpoint");

static const struct pb_field pb_core_v1_NodeDaemonEndpoints_fields[] = {
    {1, "kubeletEndpoint", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_DaemonEndpoint},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeDaemonEndpoints, "core.v1.NodeDaemonEndpoints");

static const struct pb_field pb_core_v1_NodeSystemInfo_fields[] = {
    {1, "machineID", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "systemUUID", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "bootID", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "kernelVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "osImage", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "containerRuntimeVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "kubeletVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {8, "kubeProxyVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {9, "operatingSystem", PB_STRING, PB_SINGLE, 0, NULL},
    {10, "architecture", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeSystemInfo, "core.v1.NodeSystemInfo");

static const struct pb_field pb_core_v1_ContainerImage_fields[] = {
    {1, "names", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "sizeBytes", PB_INT64, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ContainerImage, "core.v1.ContainerImage");

static const struct pb_field pb_core_v1_AttachedVolume_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "devicePath", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_AttachedVolume, "core.v1.AttachedVolume");

static const struct pb_field pb_core_v1_NodeConfigStatus_fields[] = {
    {1, "assigned", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NodeConfigSource},
    {2, "active", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NodeConfigSource},
    {3, "lastKnownGood", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NodeConfigSource},
    {4, "error", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeConfigStatus, "core.v1.NodeConfigStatus");

static const struct pb_field pb_core_v1_NodeRuntimeHandlerFeatures_fields[] = {
    {1, "recursiveReadOnlyMounts", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {2, "userNamespaces", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeRuntimeHandlerFeatures, "core.v1.NodeRuntimeHandlerFeatures");

static const struct pb_field pb_core_v1_NodeRuntimeHandler_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "features", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NodeRuntimeHandlerFeatures},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeRuntimeHandler, "core.v1.NodeRuntimeHandler");

static const struct pb_field pb_core_v1_NodeFeatures_fields[] = {
    {1, "supplementalGroupsPolicy", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeFeatures, "core.v1.NodeFeatures");

static const struct pb_field pb_core_v1_NodeStatus_fields[] = {
    {1, "capacity", PB_QUANTITY, PB_MAP, 0, NULL},
    {2, "allocatable", PB_QUANTITY, PB_MAP, 0, NULL},
    {3, "phase", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_NodeCondition},
    {5, "addresses", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_NodeAddress},
    {6, "daemonEndpoints", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_NodeDaemonEndpoints},
    {7, "nodeInfo", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_NodeSystemInfo},
    {8, "images", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ContainerImage},
    {9, "volumesInUse", PB_STRING, PB_REPEATED, 0, NULL},
    {10, "volumesAttached", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_AttachedVolume},
    {11, "config", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NodeConfigStatus},
    {12, "runtimeHandlers", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_NodeRuntimeHandler},
    {13, "features", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NodeFeatures},
};
PB_MESSAGE_DEFINE(pb_core_v1_NodeStatus, "core.v1.NodeStatus");

static const struct pb_field pb_core_v1_Node_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_NodeSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_NodeStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_Node, "core.v1.Node");

static const struct pb_field pb_core_v1_ServicePort_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "protocol", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "port", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "targetPort", PB_INTORSTRING, PB_SINGLE, 0, NULL},
    {5, "nodePort", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "appProtocol", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ServicePort, "core.v1.ServicePort");

static const struct pb_field pb_core_v1_ClientIPConfig_fields[] = {
    {1, "timeoutSeconds", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ClientIPConfig, "core.v1.ClientIPConfig");

static const struct pb_field pb_core_v1_SessionAffinityConfig_fields[] = {
    {1, "clientIP", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ClientIPConfig},
};
PB_MESSAGE_DEFINE(pb_core_v1_SessionAffinityConfig, "core.v1.SessionAffinityConfig");

static const struct pb_field pb_core_v1_ServiceSpec_fields[] = {
    {1, "ports", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ServicePort},
    {2, "selector", PB_STRING, PB_MAP, 0, NULL},
    {3, "clusterIP", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "externalIPs", PB_STRING, PB_REPEATED, 0, NULL},
    {7, "sessionAffinity", PB_STRING, PB_SINGLE, 0, NULL},
    {8, "loadBalancerIP", PB_STRING, PB_SINGLE, 0, NULL},
    {9, "loadBalancerSourceRanges", PB_STRING, PB_REPEATED, 0, NULL},
    {10, "externalName", PB_STRING, PB_SINGLE, 0, NULL},
    {11, "externalTrafficPolicy", PB_STRING, PB_SINGLE, 0, NULL},
    {12, "healthCheckNodePort", PB_INT32, PB_SINGLE, 0, NULL},
    {13, "publishNotReadyAddresses", PB_BOOL, PB_SINGLE, 0, NULL},
    {14, "sessionAffinityConfig", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_SessionAffinityConfig},
    {17, "ipFamilyPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {18, "clusterIPs", PB_STRING, PB_REPEATED, 0, NULL},
    {19, "ipFamilies", PB_STRING, PB_REPEATED, 0, NULL},
    {20, "allocateLoadBalancerNodePorts", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {21, "loadBalancerClass", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {22, "internalTrafficPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {23, "trafficDistribution", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ServiceSpec, "core.v1.ServiceSpec");

static const struct pb_field pb_core_v1_PortStatus_fields[] = {
    {1, "port", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "protocol", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "error", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PortStatus, "core.v1.PortStatus");

static const struct pb_field pb_core_v1_LoadBalancerIngress_fields[] = {
    {1, "ip", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "hostname", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "ipMode", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {4, "ports", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_PortStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_LoadBalancerIngress, "core.v1.LoadBalancerIngress");

static const struct pb_field pb_core_v1_LoadBalancerStatus_fields[] = {
    {1, "ingress", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_LoadBalancerIngress},
};
PB_MESSAGE_DEFINE(pb_core_v1_LoadBalancerStatus, "core.v1.LoadBalancerStatus");

static const struct pb_field pb_meta_v1_Condition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "observedGeneration", PB_INT64, PB_SINGLE, 0, NULL},
    {4, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {5, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_meta_v1_Condition, "meta.v1.Condition");

static const struct pb_field pb_core_v1_ServiceStatus_fields[] = {
    {1, "loadBalancer", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_LoadBalancerStatus},
    {2, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_meta_v1_Condition},
};
PB_MESSAGE_DEFINE(pb_core_v1_ServiceStatus, "core.v1.ServiceStatus");

static const struct pb_field pb_core_v1_Service_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ServiceSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ServiceStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_Service, "core.v1.Service");

static const struct pb_field pb_core_v1_ObjectReference_fields[] = {
    {1, "kind", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "namespace", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "uid", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "apiVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "resourceVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "fieldPath", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ObjectReference, "core.v1.ObjectReference");

static const struct pb_field pb_core_v1_EndpointAddress_fields[] = {
    {1, "ip", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "targetRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ObjectReference},
    {3, "hostname", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "nodeName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_EndpointAddress, "core.v1.EndpointAddress");

static const struct pb_field pb_core_v1_EndpointPort_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "port", PB_INT32, PB_SINGLE, 0, NULL},
    {3, "protocol", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "appProtocol", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_EndpointPort, "core.v1.EndpointPort");

static const struct pb_field pb_core_v1_EndpointSubset_fields[] = {
    {1, "addresses", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_EndpointAddress},
    {2, "notReadyAddresses", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_EndpointAddress},
    {3, "ports", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_EndpointPort},
};
PB_MESSAGE_DEFINE(pb_core_v1_EndpointSubset, "core.v1.EndpointSubset");

static const struct pb_field pb_core_v1_Endpoints_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "subsets", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_EndpointSubset},
};
PB_MESSAGE_DEFINE(pb_core_v1_Endpoints, "core.v1.Endpoints");

static const struct pb_field pb_core_v1_ConfigMap_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "data", PB_STRING, PB_MAP, 0, NULL},
    {3, "binaryData", PB_BYTES, PB_MAP, 0, NULL},
    {4, "immutable", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ConfigMap, "core.v1.ConfigMap");

static const struct pb_field pb_core_v1_Secret_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "data", PB_BYTES, PB_MAP, 0, NULL},
    {3, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "stringData", PB_STRING, PB_MAP, 0, NULL},
    {5, "immutable", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_Secret, "core.v1.Secret");

static const struct pb_field pb_core_v1_ServiceAccount_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "secrets", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ObjectReference},
    {3, "imagePullSecrets", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_LocalObjectReference},
    {4, "automountServiceAccountToken", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ServiceAccount, "core.v1.ServiceAccount");

static const struct pb_field pb_core_v1_EventSource_fields[] = {
    {1, "component", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "host", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_EventSource, "core.v1.EventSource");

static const struct pb_field pb_core_v1_EventSeries_fields[] = {
    {1, "count", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "lastObservedTime", PB_MICROTIME, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_EventSeries, "core.v1.EventSeries");

static const struct pb_field pb_core_v1_Event_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "involvedObject", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ObjectReference},
    {3, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "message", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "source", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_EventSource},
    {6, "firstTimestamp", PB_TIME, PB_SINGLE, 0, NULL},
    {7, "lastTimestamp", PB_TIME, PB_SINGLE, 0, NULL},
    {8, "count", PB_INT32, PB_SINGLE, 0, NULL},
    {9, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {10, "eventTime", PB_MICROTIME, PB_SINGLE, 0, NULL},
    {11, "series", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_EventSeries},
    {12, "action", PB_STRING, PB_SINGLE, 0, NULL},
    {13, "related", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ObjectReference},
    {14, "reportingComponent", PB_STRING, PB_SINGLE, 0, NULL},
    {15, "reportingInstance", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_Event, "core.v1.Event");

static const struct pb_field pb_core_v1_GlusterfsPersistentVolumeSource_fields[] = {
    {1, "endpoints", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {4, "endpointsNamespace", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_GlusterfsPersistentVolumeSource,
		  "core.v1.GlusterfsPersistentVolumeSource");

static const struct pb_field pb_core_v1_SecretReference_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "namespace", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_SecretReference, "core.v1.SecretReference");

static const struct pb_field pb_core_v1_RBDPersistentVolumeSource_fields[] = {
    {1, "monitors", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "image", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "pool", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "user", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "keyring", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
    {8, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_RBDPersistentVolumeSource, "core.v1.RBDPersistentVolumeSource");

static const struct pb_field pb_core_v1_ISCSIPersistentVolumeSource_fields[] = {
    {1, "targetPortal", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "iqn", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "lun", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "iscsiInterface", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {7, "portals", PB_STRING, PB_REPEATED, 0, NULL},
    {8, "chapAuthDiscovery", PB_BOOL, PB_SINGLE, 0, NULL},
    {10, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
    {11, "chapAuthSession", PB_BOOL, PB_SINGLE, 0, NULL},
    {12, "initiatorName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ISCSIPersistentVolumeSource, "core.v1.ISCSIPersistentVolumeSource");

static const struct pb_field pb_core_v1_CinderPersistentVolumeSource_fields[] = {
    {1, "volumeID", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {4, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
};
PB_MESSAGE_DEFINE(pb_core_v1_CinderPersistentVolumeSource, "core.v1.CinderPersistentVolumeSource");

static const struct pb_field pb_core_v1_CephFSPersistentVolumeSource_fields[] = {
    {1, "monitors", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "user", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "secretFile", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
    {6, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_CephFSPersistentVolumeSource, "core.v1.CephFSPersistentVolumeSource");

static const struct pb_field pb_core_v1_FlexPersistentVolumeSource_fields[] = {
    {1, "driver", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
    {4, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {5, "options", PB_STRING, PB_MAP, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_FlexPersistentVolumeSource, "core.v1.FlexPersistentVolumeSource");

static const struct pb_field pb_core_v1_AzureFilePersistentVolumeSource_fields[] = {
    {1, "secretName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "shareName", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {4, "secretNamespace", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_AzureFilePersistentVolumeSource,
		  "core.v1.AzureFilePersistentVolumeSource");

static const struct pb_field pb_core_v1_ScaleIOPersistentVolumeSource_fields[] = {
    {1, "gateway", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "system", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
    {4, "sslEnabled", PB_BOOL, PB_SINGLE, 0, NULL},
    {5, "protectionDomain", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "storagePool", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "storageMode", PB_STRING, PB_SINGLE, 0, NULL},
    {8, "volumeName", PB_STRING, PB_SINGLE, 0, NULL},
    {9, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {10, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ScaleIOPersistentVolumeSource,
		  "core.v1.ScaleIOPersistentVolumeSource");

static const struct pb_field pb_core_v1_LocalVolumeSource_fields[] = {
    {1, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "fsType", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_LocalVolumeSource, "core.v1.LocalVolumeSource");

static const struct pb_field pb_core_v1_StorageOSPersistentVolumeSource_fields[] = {
    {1, "volumeName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "volumeNamespace", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {5, "secretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ObjectReference},
};
PB_MESSAGE_DEFINE(pb_core_v1_StorageOSPersistentVolumeSource,
		  "core.v1.StorageOSPersistentVolumeSource");

static const struct pb_field pb_core_v1_CSIPersistentVolumeSource_fields[] = {
    {1, "driver", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "volumeHandle", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "readOnly", PB_BOOL, PB_SINGLE, 0, NULL},
    {4, "fsType", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "volumeAttributes", PB_STRING, PB_MAP, 0, NULL},
    {6, "controllerPublishSecretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
    {7, "nodeStageSecretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
    {8, "nodePublishSecretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
    {9, "controllerExpandSecretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
    {10, "nodeExpandSecretRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_SecretReference},
};
PB_MESSAGE_DEFINE(pb_core_v1_CSIPersistentVolumeSource, "core.v1.CSIPersistentVolumeSource");

static const struct pb_field pb_core_v1_PersistentVolumeSource_fields[] = {
    {1, "gcePersistentDisk", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_GCEPersistentDiskVolumeSource},
    {2, "awsElasticBlockStore", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_AWSElasticBlockStoreVolumeSource},
    {3, "hostPath", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_HostPathVolumeSource},
    {4, "glusterfs", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_GlusterfsPersistentVolumeSource},
    {5, "nfs", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NFSVolumeSource},
    {6, "rbd", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_RBDPersistentVolumeSource},
    {7, "iscsi", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ISCSIPersistentVolumeSource},
    {8, "cinder", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_CinderPersistentVolumeSource},
    {9, "cephfs", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_CephFSPersistentVolumeSource},
    {10, "fc", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_FCVolumeSource},
    {11, "flocker", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_FlockerVolumeSource},
    {12, "flexVolume", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_FlexPersistentVolumeSource},
    {13, "azureFile", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_AzureFilePersistentVolumeSource},
    {14, "vsphereVolume", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_VsphereVirtualDiskVolumeSource},
    {15, "quobyte", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_QuobyteVolumeSource},
    {16, "azureDisk", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_AzureDiskVolumeSource},
    {17, "photonPersistentDisk", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_core_v1_PhotonPersistentDiskVolumeSource},
    {18, "portworxVolume", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_PortworxVolumeSource},
    {19, "scaleIO", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ScaleIOPersistentVolumeSource},
    {20, "local", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_LocalVolumeSource},
    {21, "storageos", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_StorageOSPersistentVolumeSource},
    {22, "csi", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_CSIPersistentVolumeSource},
};
PB_MESSAGE_DEFINE(pb_core_v1_PersistentVolumeSource, "core.v1.PersistentVolumeSource");

static const struct pb_field pb_core_v1_VolumeNodeAffinity_fields[] = {
    {1, "required", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_NodeSelector},
};
PB_MESSAGE_DEFINE(pb_core_v1_VolumeNodeAffinity, "core.v1.VolumeNodeAffinity");

static const struct pb_field pb_core_v1_PersistentVolumeSpec_fields[] = {
    {1, "capacity", PB_QUANTITY, PB_MAP, 0, NULL},
    {2, "persistentVolumeSource", PB_MESSAGE, PB_SINGLE, PB_INLINE,
     &pb_core_v1_PersistentVolumeSource},
    {3, "accessModes", PB_STRING, PB_REPEATED, 0, NULL},
    {4, "claimRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ObjectReference},
    {5, "persistentVolumeReclaimPolicy", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "storageClassName", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "mountOptions", PB_STRING, PB_REPEATED, 0, NULL},
    {8, "volumeMode", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {9, "nodeAffinity", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_VolumeNodeAffinity},
    {10, "volumeAttributesClassName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PersistentVolumeSpec, "core.v1.PersistentVolumeSpec");

static const struct pb_field pb_core_v1_PersistentVolumeStatus_fields[] = {
    {1, "phase", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "message", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "lastPhaseTransitionTime", PB_TIME, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PersistentVolumeStatus, "core.v1.PersistentVolumeStatus");

static const struct pb_field pb_core_v1_PersistentVolume_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PersistentVolumeSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PersistentVolumeStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_PersistentVolume, "core.v1.PersistentVolume");

static const struct pb_field pb_core_v1_PersistentVolumeClaimCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "lastProbeTime", PB_TIME, PB_SINGLE, 0, NULL},
    {4, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {5, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_PersistentVolumeClaimCondition,
		  "core.v1.PersistentVolumeClaimCondition");

static const struct pb_field pb_core_v1_ModifyVolumeStatus_fields[] = {
    {1, "targetVolumeAttributesClassName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ModifyVolumeStatus, "core.v1.ModifyVolumeStatus");

static const struct pb_field pb_core_v1_PersistentVolumeClaimStatus_fields[] = {
    {1, "phase", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "accessModes", PB_STRING, PB_REPEATED, 0, NULL},
    {3, "capacity", PB_QUANTITY, PB_MAP, 0, NULL},
    {4, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_PersistentVolumeClaimCondition},
    {5, "allocatedResources", PB_QUANTITY, PB_MAP, 0, NULL},
    {7, "allocatedResourceStatuses", PB_STRING, PB_MAP, 0, NULL},
    {8, "currentVolumeAttributesClassName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {9, "modifyVolumeStatus", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ModifyVolumeStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_PersistentVolumeClaimStatus, "core.v1.PersistentVolumeClaimStatus");

static const struct pb_field pb_core_v1_PersistentVolumeClaim_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PersistentVolumeClaimSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PersistentVolumeClaimStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_PersistentVolumeClaim, "core.v1.PersistentVolumeClaim");

static const struct pb_field pb_core_v1_Binding_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "target", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ObjectReference},
};
PB_MESSAGE_DEFINE(pb_core_v1_Binding, "core.v1.Binding");

static const struct pb_field pb_core_v1_ScopedResourceSelectorRequirement_fields[] = {
    {1, "scopeName", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "operator", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "values", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ScopedResourceSelectorRequirement,
		  "core.v1.ScopedResourceSelectorRequirement");

static const struct pb_field pb_core_v1_ScopeSelector_fields[] = {
    {1, "matchExpressions", PB_MESSAGE, PB_REPEATED, 0,
     &pb_core_v1_ScopedResourceSelectorRequirement},
};
PB_MESSAGE_DEFINE(pb_core_v1_ScopeSelector, "core.v1.ScopeSelector");

static const struct pb_field pb_core_v1_ResourceQuotaSpec_fields[] = {
    {1, "hard", PB_QUANTITY, PB_MAP, 0, NULL},
    {2, "scopes", PB_STRING, PB_REPEATED, 0, NULL},
    {3, "scopeSelector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ScopeSelector},
};
PB_MESSAGE_DEFINE(pb_core_v1_ResourceQuotaSpec, "core.v1.ResourceQuotaSpec");

static const struct pb_field pb_core_v1_ResourceQuotaStatus_fields[] = {
    {1, "hard", PB_QUANTITY, PB_MAP, 0, NULL},
    {2, "used", PB_QUANTITY, PB_MAP, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ResourceQuotaStatus, "core.v1.ResourceQuotaStatus");

static const struct pb_field pb_core_v1_ResourceQuota_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ResourceQuotaSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ResourceQuotaStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_ResourceQuota, "core.v1.ResourceQuota");

static const struct pb_field pb_core_v1_LimitRangeItem_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "max", PB_QUANTITY, PB_MAP, 0, NULL},
    {3, "min", PB_QUANTITY, PB_MAP, 0, NULL},
    {4, "default", PB_QUANTITY, PB_MAP, 0, NULL},
    {5, "defaultRequest", PB_QUANTITY, PB_MAP, 0, NULL},
    {6, "maxLimitRequestRatio", PB_QUANTITY, PB_MAP, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_LimitRangeItem, "core.v1.LimitRangeItem");

static const struct pb_field pb_core_v1_LimitRangeSpec_fields[] = {
    {1, "limits", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_LimitRangeItem},
};
PB_MESSAGE_DEFINE(pb_core_v1_LimitRangeSpec, "core.v1.LimitRangeSpec");

static const struct pb_field pb_core_v1_LimitRange_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_LimitRangeSpec},
};
PB_MESSAGE_DEFINE(pb_core_v1_LimitRange, "core.v1.LimitRange");

static const struct pb_field pb_core_v1_PodTemplateSpec_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PodSpec},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodTemplateSpec, "core.v1.PodTemplateSpec");

static const struct pb_field pb_core_v1_PodTemplate_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "template", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PodTemplateSpec},
};
PB_MESSAGE_DEFINE(pb_core_v1_PodTemplate, "core.v1.PodTemplate");

static const struct pb_field pb_core_v1_ReplicationControllerSpec_fields[] = {
    {1, "replicas", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {2, "selector", PB_STRING, PB_MAP, 0, NULL},
    {3, "template", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_PodTemplateSpec},
    {4, "minReadySeconds", PB_INT32, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ReplicationControllerSpec, "core.v1.ReplicationControllerSpec");

static const struct pb_field pb_core_v1_ReplicationControllerCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {4, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_core_v1_ReplicationControllerCondition,
		  "core.v1.ReplicationControllerCondition");

static const struct pb_field pb_core_v1_ReplicationControllerStatus_fields[] = {
    {1, "replicas", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "fullyLabeledReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {3, "observedGeneration", PB_INT64, PB_SINGLE, 0, NULL},
    {4, "readyReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {5, "availableReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ReplicationControllerCondition},
};
PB_MESSAGE_DEFINE(pb_core_v1_ReplicationControllerStatus, "core.v1.ReplicationControllerStatus");

static const struct pb_field pb_core_v1_ReplicationController_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ReplicationControllerSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ReplicationControllerStatus},
};
PB_MESSAGE_DEFINE(pb_core_v1_ReplicationController, "core.v1.ReplicationController");

static const struct pb_field pb_apps_v1_RollingUpdateDeployment_fields[] = {
    {1, "maxUnavailable", PB_INTORSTRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "maxSurge", PB_INTORSTRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_RollingUpdateDeployment, "apps.v1.RollingUpdateDeployment");

static const struct pb_field pb_apps_v1_DeploymentStrategy_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "rollingUpdate", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_apps_v1_RollingUpdateDeployment},
};
PB_MESSAGE_DEFINE(pb_apps_v1_DeploymentStrategy, "apps.v1.DeploymentStrategy");

static const struct pb_field pb_apps_v1_DeploymentSpec_fields[] = {
    {1, "replicas", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {2, "selector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {3, "template", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PodTemplateSpec},
    {4, "strategy", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_DeploymentStrategy},
    {5, "minReadySeconds", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "revisionHistoryLimit", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {7, "paused", PB_BOOL, PB_SINGLE, 0, NULL},
    {9, "progressDeadlineSeconds", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_DeploymentSpec, "apps.v1.DeploymentSpec");

static const struct pb_field pb_apps_v1_DeploymentCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "message", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "lastUpdateTime", PB_TIME, PB_SINGLE, 0, NULL},
    {7, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_DeploymentCondition, "apps.v1.DeploymentCondition");

static const struct pb_field pb_apps_v1_DeploymentStatus_fields[] = {
    {1, "observedGeneration", PB_INT64, PB_SINGLE, 0, NULL},
    {2, "replicas", PB_INT32, PB_SINGLE, 0, NULL},
    {3, "updatedReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "availableReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {5, "unavailableReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_apps_v1_DeploymentCondition},
    {7, "readyReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {8, "collisionCount", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_DeploymentStatus, "apps.v1.DeploymentStatus");

static const struct pb_field pb_apps_v1_Deployment_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_DeploymentSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_DeploymentStatus},
};
PB_MESSAGE_DEFINE(pb_apps_v1_Deployment, "apps.v1.Deployment");

static const struct pb_field pb_apps_v1_ReplicaSetSpec_fields[] = {
    {1, "replicas", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {2, "selector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {3, "template", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PodTemplateSpec},
    {4, "minReadySeconds", PB_INT32, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_ReplicaSetSpec, "apps.v1.ReplicaSetSpec");

static const struct pb_field pb_apps_v1_ReplicaSetCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {4, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_ReplicaSetCondition, "apps.v1.ReplicaSetCondition");

static const struct pb_field pb_apps_v1_ReplicaSetStatus_fields[] = {
    {1, "replicas", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "fullyLabeledReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {3, "observedGeneration", PB_INT64, PB_SINGLE, 0, NULL},
    {4, "readyReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {5, "availableReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_apps_v1_ReplicaSetCondition},
};
PB_MESSAGE_DEFINE(pb_apps_v1_ReplicaSetStatus, "apps.v1.ReplicaSetStatus");

static const struct pb_field pb_apps_v1_ReplicaSet_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_ReplicaSetSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_ReplicaSetStatus},
};
PB_MESSAGE_DEFINE(pb_apps_v1_ReplicaSet, "apps.v1.ReplicaSet");

static const struct pb_field pb_apps_v1_RollingUpdateDaemonSet_fields[] = {
    {1, "maxUnavailable", PB_INTORSTRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "maxSurge", PB_INTORSTRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_RollingUpdateDaemonSet, "apps.v1.RollingUpdateDaemonSet");

static const struct pb_field pb_apps_v1_DaemonSetUpdateStrategy_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "rollingUpdate", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_apps_v1_RollingUpdateDaemonSet},
};
PB_MESSAGE_DEFINE(pb_apps_v1_DaemonSetUpdateStrategy, "apps.v1.DaemonSetUpdateStrategy");

static const struct pb_field pb_apps_v1_DaemonSetSpec_fields[] = {
    {1, "selector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {2, "template", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PodTemplateSpec},
    {3, "updateStrategy", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_DaemonSetUpdateStrategy},
    {4, "minReadySeconds", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "revisionHistoryLimit", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_DaemonSetSpec, "apps.v1.DaemonSetSpec");

static const struct pb_field pb_apps_v1_DaemonSetCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {4, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_DaemonSetCondition, "apps.v1.DaemonSetCondition");

static const struct pb_field pb_apps_v1_DaemonSetStatus_fields[] = {
    {1, "currentNumberScheduled", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "numberMisscheduled", PB_INT32, PB_SINGLE, 0, NULL},
    {3, "desiredNumberScheduled", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "numberReady", PB_INT32, PB_SINGLE, 0, NULL},
    {5, "observedGeneration", PB_INT64, PB_SINGLE, 0, NULL},
    {6, "updatedNumberScheduled", PB_INT32, PB_SINGLE, 0, NULL},
    {7, "numberAvailable", PB_INT32, PB_SINGLE, 0, NULL},
    {8, "numberUnavailable", PB_INT32, PB_SINGLE, 0, NULL},
    {9, "collisionCount", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {10, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_apps_v1_DaemonSetCondition},
};
PB_MESSAGE_DEFINE(pb_apps_v1_DaemonSetStatus, "apps.v1.DaemonSetStatus");

static const struct pb_field pb_apps_v1_DaemonSet_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_DaemonSetSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_DaemonSetStatus},
};
PB_MESSAGE_DEFINE(pb_apps_v1_DaemonSet, "apps.v1.DaemonSet");

static const struct pb_field pb_apps_v1_RollingUpdateStatefulSetStrategy_fields[] = {
    {1, "partition", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {2, "maxUnavailable", PB_INTORSTRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_RollingUpdateStatefulSetStrategy,
		  "apps.v1.RollingUpdateStatefulSetStrategy");

static const struct pb_field pb_apps_v1_StatefulSetUpdateStrategy_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "rollingUpdate", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_apps_v1_RollingUpdateStatefulSetStrategy},
};
PB_MESSAGE_DEFINE(pb_apps_v1_StatefulSetUpdateStrategy, "apps.v1.StatefulSetUpdateStrategy");

static const struct pb_field pb_apps_v1_StatefulSetPersistentVolumeClaimRetentionPolicy_fields[] = {
    {1, "whenDeleted", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "whenScaled", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_StatefulSetPersistentVolumeClaimRetentionPolicy,
		  "apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy");

static const struct pb_field pb_apps_v1_StatefulSetOrdinals_fields[] = {
    {1, "start", PB_INT32, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_StatefulSetOrdinals, "apps.v1.StatefulSetOrdinals");

static const struct pb_field pb_apps_v1_StatefulSetSpec_fields[] = {
    {1, "replicas", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {2, "selector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {3, "template", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PodTemplateSpec},
    {4, "volumeClaimTemplates", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_PersistentVolumeClaim},
    {5, "serviceName", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "podManagementPolicy", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "updateStrategy", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_StatefulSetUpdateStrategy},
    {8, "revisionHistoryLimit", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {9, "minReadySeconds", PB_INT32, PB_SINGLE, 0, NULL},
    {10, "persistentVolumeClaimRetentionPolicy", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_apps_v1_StatefulSetPersistentVolumeClaimRetentionPolicy},
    {11, "ordinals", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_apps_v1_StatefulSetOrdinals},
};
PB_MESSAGE_DEFINE(pb_apps_v1_StatefulSetSpec, "apps.v1.StatefulSetSpec");

static const struct pb_field pb_apps_v1_StatefulSetCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {4, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_StatefulSetCondition, "apps.v1.StatefulSetCondition");

static const struct pb_field pb_apps_v1_StatefulSetStatus_fields[] = {
    {1, "observedGeneration", PB_INT64, PB_SINGLE, 0, NULL},
    {2, "replicas", PB_INT32, PB_SINGLE, 0, NULL},
    {3, "readyReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "currentReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {5, "updatedReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "currentRevision", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "updateRevision", PB_STRING, PB_SINGLE, 0, NULL},
    {9, "collisionCount", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {10, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_apps_v1_StatefulSetCondition},
    {11, "availableReplicas", PB_INT32, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_StatefulSetStatus, "apps.v1.StatefulSetStatus");

static const struct pb_field pb_apps_v1_StatefulSet_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_StatefulSetSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_apps_v1_StatefulSetStatus},
};
PB_MESSAGE_DEFINE(pb_apps_v1_StatefulSet, "apps.v1.StatefulSet");

static const struct pb_field pb_apps_v1_ControllerRevision_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "data", PB_RAWJSON, PB_SINGLE, 0, NULL},
    {3, "revision", PB_INT64, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_apps_v1_ControllerRevision, "apps.v1.ControllerRevision");

static const struct pb_field pb_batch_v1_PodFailurePolicyOnExitCodesRequirement_fields[] = {
    {1, "containerName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "operator", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "values", PB_INT32, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_batch_v1_PodFailurePolicyOnExitCodesRequirement,
		  "batch.v1.PodFailurePolicyOnExitCodesRequirement");

static const struct pb_field pb_batch_v1_PodFailurePolicyOnPodConditionsPattern_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_batch_v1_PodFailurePolicyOnPodConditionsPattern,
		  "batch.v1.PodFailurePolicyOnPodConditionsPattern");

static const struct pb_field pb_batch_v1_PodFailurePolicyRule_fields[] = {
    {1, "action", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "onExitCodes", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_batch_v1_PodFailurePolicyOnExitCodesRequirement},
    {3, "onPodConditions", PB_MESSAGE, PB_REPEATED, 0,
     &pb_batch_v1_PodFailurePolicyOnPodConditionsPattern},
};
PB_MESSAGE_DEFINE(pb_batch_v1_PodFailurePolicyRule, "batch.v1.PodFailurePolicyRule");

static const struct pb_field pb_batch_v1_PodFailurePolicy_fields[] = {
    {1, "rules", PB_MESSAGE, PB_REPEATED, 0, &pb_batch_v1_PodFailurePolicyRule},
};
PB_MESSAGE_DEFINE(pb_batch_v1_PodFailurePolicy, "batch.v1.PodFailurePolicy");

static const struct pb_field pb_batch_v1_SuccessPolicyRule_fields[] = {
    {1, "succeededIndexes", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "succeededCount", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_batch_v1_SuccessPolicyRule, "batch.v1.SuccessPolicyRule");

static const struct pb_field pb_batch_v1_SuccessPolicy_fields[] = {
    {1, "rules", PB_MESSAGE, PB_REPEATED, 0, &pb_batch_v1_SuccessPolicyRule},
};
PB_MESSAGE_DEFINE(pb_batch_v1_SuccessPolicy, "batch.v1.SuccessPolicy");

static const struct pb_field pb_batch_v1_JobSpec_fields[] = {
    {1, "parallelism", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {2, "completions", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {3, "activeDeadlineSeconds", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {4, "selector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {5, "manualSelector", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {6, "template", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_PodTemplateSpec},
    {7, "backoffLimit", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {8, "ttlSecondsAfterFinished", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {9, "completionMode", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {10, "suspend", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {11, "podFailurePolicy", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_batch_v1_PodFailurePolicy},
    {12, "backoffLimitPerIndex", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {13, "maxFailedIndexes", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {14, "podReplacementPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {15, "managedBy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {16, "successPolicy", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_batch_v1_SuccessPolicy},
};
PB_MESSAGE_DEFINE(pb_batch_v1_JobSpec, "batch.v1.JobSpec");

static const struct pb_field pb_batch_v1_JobCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "status", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "lastProbeTime", PB_TIME, PB_SINGLE, 0, NULL},
    {4, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {5, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "message", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_batch_v1_JobCondition, "batch.v1.JobCondition");

static const struct pb_field pb_batch_v1_UncountedTerminatedPods_fields[] = {
    {1, "succeeded", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "failed", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_batch_v1_UncountedTerminatedPods, "batch.v1.UncountedTerminatedPods");

static const struct pb_field pb_batch_v1_JobStatus_fields[] = {
    {1, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_batch_v1_JobCondition},
    {2, "startTime", PB_TIME, PB_SINGLE, PB_KEEP, NULL},
    {3, "completionTime", PB_TIME, PB_SINGLE, PB_KEEP, NULL},
    {4, "active", PB_INT32, PB_SINGLE, 0, NULL},
    {5, "succeeded", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "failed", PB_INT32, PB_SINGLE, 0, NULL},
    {7, "completedIndexes", PB_STRING, PB_SINGLE, 0, NULL},
    {8, "uncountedTerminatedPods", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_batch_v1_UncountedTerminatedPods},
    {9, "ready", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {10, "failedIndexes", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {11, "terminating", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_batch_v1_JobStatus, "batch.v1.JobStatus");

static const struct pb_field pb_batch_v1_Job_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_batch_v1_JobSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_batch_v1_JobStatus},
};
PB_MESSAGE_DEFINE(pb_batch_v1_Job, "batch.v1.Job");

static const struct pb_field pb_batch_v1_JobTemplateSpec_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_batch_v1_JobSpec},
};
PB_MESSAGE_DEFINE(pb_batch_v1_JobTemplateSpec, "batch.v1.JobTemplateSpec");

static const struct pb_field pb_batch_v1_CronJobSpec_fields[] = {
    {1, "schedule", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "startingDeadlineSeconds", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {3, "concurrencyPolicy", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "suspend", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {5, "jobTemplate", PB_MESSAGE, PB_SINGLE, 0, &pb_batch_v1_JobTemplateSpec},
    {6, "successfulJobsHistoryLimit", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {7, "failedJobsHistoryLimit", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {8, "timeZone", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_batch_v1_CronJobSpec, "batch.v1.CronJobSpec");

static const struct pb_field pb_batch_v1_CronJobStatus_fields[] = {
    {1, "active", PB_MESSAGE, PB_REPEATED, 0, &pb_core_v1_ObjectReference},
    {4, "lastScheduleTime", PB_TIME, PB_SINGLE, PB_KEEP, NULL},
    {5, "lastSuccessfulTime", PB_TIME, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_batch_v1_CronJobStatus, "batch.v1.CronJobStatus");

static const struct pb_field pb_batch_v1_CronJob_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_batch_v1_CronJobSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_batch_v1_CronJobStatus},
};
PB_MESSAGE_DEFINE(pb_batch_v1_CronJob, "batch.v1.CronJob");

static const struct pb_field pb_coordination_v1_LeaseSpec_fields[] = {
    {1, "holderIdentity", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "leaseDurationSeconds", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {3, "acquireTime", PB_MICROTIME, PB_SINGLE, PB_KEEP, NULL},
    {4, "renewTime", PB_MICROTIME, PB_SINGLE, PB_KEEP, NULL},
    {5, "leaseTransitions", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {6, "strategy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {7, "preferredHolder", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_coordination_v1_LeaseSpec, "coordination.v1.LeaseSpec");

static const struct pb_field pb_coordination_v1_Lease_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_coordination_v1_LeaseSpec},
};
PB_MESSAGE_DEFINE(pb_coordination_v1_Lease, "coordination.v1.Lease");

static const struct pb_field pb_scheduling_v1_PriorityClass_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "value", PB_INT32, PB_SINGLE, 0, NULL},
    {3, "globalDefault", PB_BOOL, PB_SINGLE, 0, NULL},
    {4, "description", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "preemptionPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_scheduling_v1_PriorityClass, "scheduling.v1.PriorityClass");

static const struct pb_field pb_discovery_v1_EndpointConditions_fields[] = {
    {1, "ready", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {2, "serving", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {3, "terminating", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_discovery_v1_EndpointConditions, "discovery.v1.EndpointConditions");

static const struct pb_field pb_discovery_v1_ForZone_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_discovery_v1_ForZone, "discovery.v1.ForZone");

static const struct pb_field pb_discovery_v1_EndpointHints_fields[] = {
    {1, "forZones", PB_MESSAGE, PB_REPEATED, 0, &pb_discovery_v1_ForZone},
};
PB_MESSAGE_DEFINE(pb_discovery_v1_EndpointHints, "discovery.v1.EndpointHints");

static const struct pb_field pb_discovery_v1_Endpoint_fields[] = {
    {1, "addresses", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "conditions", PB_MESSAGE, PB_SINGLE, 0, &pb_discovery_v1_EndpointConditions},
    {3, "hostname", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {4, "targetRef", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ObjectReference},
    {5, "deprecatedTopology", PB_STRING, PB_MAP, 0, NULL},
    {6, "nodeName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {7, "zone", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {8, "hints", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_discovery_v1_EndpointHints},
};
PB_MESSAGE_DEFINE(pb_discovery_v1_Endpoint, "discovery.v1.Endpoint");

static const struct pb_field pb_discovery_v1_EndpointPort_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "protocol", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {3, "port", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {4, "appProtocol", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_discovery_v1_EndpointPort, "discovery.v1.EndpointPort");

static const struct pb_field pb_discovery_v1_EndpointSlice_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "endpoints", PB_MESSAGE, PB_REPEATED, 0, &pb_discovery_v1_Endpoint},
    {3, "ports", PB_MESSAGE, PB_REPEATED, 0, &pb_discovery_v1_EndpointPort},
    {4, "addressType", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_discovery_v1_EndpointSlice, "discovery.v1.EndpointSlice");

static const struct pb_field pb_events_v1_EventSeries_fields[] = {
    {1, "count", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "lastObservedTime", PB_MICROTIME, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_events_v1_EventSeries, "events.v1.EventSeries");

static const struct pb_field pb_events_v1_Event_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "eventTime", PB_MICROTIME, PB_SINGLE, 0, NULL},
    {3, "series", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_events_v1_EventSeries},
    {4, "reportingController", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "reportingInstance", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "action", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {8, "regarding", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_ObjectReference},
    {9, "related", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_ObjectReference},
    {10, "note", PB_STRING, PB_SINGLE, 0, NULL},
    {11, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {12, "deprecatedSource", PB_MESSAGE, PB_SINGLE, 0, &pb_core_v1_EventSource},
    {13, "deprecatedFirstTimestamp", PB_TIME, PB_SINGLE, 0, NULL},
    {14, "deprecatedLastTimestamp", PB_TIME, PB_SINGLE, 0, NULL},
    {15, "deprecatedCount", PB_INT32, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_events_v1_Event, "events.v1.Event");

static const struct pb_field pb_policy_v1_PodDisruptionBudgetSpec_fields[] = {
    {1, "minAvailable", PB_INTORSTRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "selector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {3, "maxUnavailable", PB_INTORSTRING, PB_SINGLE, PB_KEEP, NULL},
    {4, "unhealthyPodEvictionPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_policy_v1_PodDisruptionBudgetSpec, "policy.v1.PodDisruptionBudgetSpec");

static const struct pb_field pb_policy_v1_PodDisruptionBudgetStatus_fields[] = {
    {1, "observedGeneration", PB_INT64, PB_SINGLE, 0, NULL},
    {2, "disruptedPods", PB_TIME, PB_MAP, 0, NULL},
    {3, "disruptionsAllowed", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "currentHealthy", PB_INT32, PB_SINGLE, 0, NULL},
    {5, "desiredHealthy", PB_INT32, PB_SINGLE, 0, NULL},
    {6, "expectedPods", PB_INT32, PB_SINGLE, 0, NULL},
    {7, "conditions", PB_MESSAGE, PB_REPEATED, 0, &pb_meta_v1_Condition},
};
PB_MESSAGE_DEFINE(pb_policy_v1_PodDisruptionBudgetStatus, "policy.v1.PodDisruptionBudgetStatus");

static const struct pb_field pb_policy_v1_PodDisruptionBudget_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_policy_v1_PodDisruptionBudgetSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_policy_v1_PodDisruptionBudgetStatus},
};
PB_MESSAGE_DEFINE(pb_policy_v1_PodDisruptionBudget, "policy.v1.PodDisruptionBudget");

static const struct pb_field pb_meta_v1_Preconditions_fields[] = {
    {1, "uid", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "resourceVersion", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_meta_v1_Preconditions, "meta.v1.Preconditions");

static const struct pb_field pb_meta_v1_DeleteOptions_fields[] = {
    {1, "gracePeriodSeconds", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {2, "preconditions", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_Preconditions},
    {3, "orphanDependents", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
    {4, "propagationPolicy", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {5, "dryRun", PB_STRING, PB_REPEATED, 0, NULL},
    {6, "ignoreStoreReadErrorWithClusterBreakingPotential", PB_BOOL, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_meta_v1_DeleteOptions, "meta.v1.DeleteOptions");

static const struct pb_field pb_policy_v1_Eviction_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "deleteOptions", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_DeleteOptions},
};
PB_MESSAGE_DEFINE(pb_policy_v1_Eviction, "policy.v1.Eviction");

static const struct pb_field pb_autoscaling_v1_ScaleSpec_fields[] = {
    {1, "replicas", PB_INT32, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_autoscaling_v1_ScaleSpec, "autoscaling.v1.ScaleSpec");

static const struct pb_field pb_autoscaling_v1_ScaleStatus_fields[] = {
    {1, "replicas", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "selector", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_autoscaling_v1_ScaleStatus, "autoscaling.v1.ScaleStatus");

static const struct pb_field pb_autoscaling_v1_Scale_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_autoscaling_v1_ScaleSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_autoscaling_v1_ScaleStatus},
};
PB_MESSAGE_DEFINE(pb_autoscaling_v1_Scale, "autoscaling.v1.Scale");

static const struct pb_field pb_autoscaling_v1_CrossVersionObjectReference_fields[] = {
    {1, "kind", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "apiVersion", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_autoscaling_v1_CrossVersionObjectReference,
		  "autoscaling.v1.CrossVersionObjectReference");

static const struct pb_field pb_autoscaling_v1_HorizontalPodAutoscalerSpec_fields[] = {
    {1, "scaleTargetRef", PB_MESSAGE, PB_SINGLE, 0, &pb_autoscaling_v1_CrossVersionObjectReference},
    {2, "minReplicas", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
    {3, "maxReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "targetCPUUtilizationPercentage", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_autoscaling_v1_HorizontalPodAutoscalerSpec,
		  "autoscaling.v1.HorizontalPodAutoscalerSpec");

static const struct pb_field pb_autoscaling_v1_HorizontalPodAutoscalerStatus_fields[] = {
    {1, "observedGeneration", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
    {2, "lastScaleTime", PB_TIME, PB_SINGLE, PB_KEEP, NULL},
    {3, "currentReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {4, "desiredReplicas", PB_INT32, PB_SINGLE, 0, NULL},
    {5, "currentCPUUtilizationPercentage", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_autoscaling_v1_HorizontalPodAutoscalerStatus,
		  "autoscaling.v1.HorizontalPodAutoscalerStatus");

static const struct pb_field pb_autoscaling_v1_HorizontalPodAutoscaler_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_autoscaling_v1_HorizontalPodAutoscalerSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_autoscaling_v1_HorizontalPodAutoscalerStatus},
};
PB_MESSAGE_DEFINE(pb_autoscaling_v1_HorizontalPodAutoscaler,
		  "autoscaling.v1.HorizontalPodAutoscaler");

static const struct pb_field pb_authentication_v1_BoundObjectReference_fields[] = {
    {1, "kind", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "apiVersion", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "uid", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authentication_v1_BoundObjectReference,
		  "authentication.v1.BoundObjectReference");

static const struct pb_field pb_authentication_v1_TokenRequestSpec_fields[] = {
    {1, "audiences", PB_STRING, PB_REPEATED, 0, NULL},
    {3, "boundObjectRef", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_authentication_v1_BoundObjectReference},
    {4, "expirationSeconds", PB_INT64, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_authentication_v1_TokenRequestSpec, "authentication.v1.TokenRequestSpec");

static const struct pb_field pb_authentication_v1_TokenRequestStatus_fields[] = {
    {1, "token", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "expirationTimestamp", PB_TIME, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authentication_v1_TokenRequestStatus, "authentication.v1.TokenRequestStatus");

static const struct pb_field pb_authentication_v1_TokenRequest_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_authentication_v1_TokenRequestSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_authentication_v1_TokenRequestStatus},
};
PB_MESSAGE_DEFINE(pb_authentication_v1_TokenRequest, "authentication.v1.TokenRequest");

static const struct pb_field pb_authentication_v1_UserInfo_fields[] = {
    {1, "username", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "uid", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "groups", PB_STRING, PB_REPEATED, 0, NULL},
    {4, "extra", PB_STRINGLIST, PB_MAP, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authentication_v1_UserInfo, "authentication.v1.UserInfo");

static const struct pb_field pb_authentication_v1_SelfSubjectReviewStatus_fields[] = {
    {1, "userInfo", PB_MESSAGE, PB_SINGLE, 0, &pb_authentication_v1_UserInfo},
};
PB_MESSAGE_DEFINE(pb_authentication_v1_SelfSubjectReviewStatus,
		  "authentication.v1.SelfSubjectReviewStatus");

static const struct pb_field pb_authentication_v1_SelfSubjectReview_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_authentication_v1_SelfSubjectReviewStatus},
};
PB_MESSAGE_DEFINE(pb_authentication_v1_SelfSubjectReview, "authentication.v1.SelfSubjectReview");

static const struct pb_field pb_authentication_v1_TokenReviewSpec_fields[] = {
    {1, "token", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "audiences", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authentication_v1_TokenReviewSpec, "authentication.v1.TokenReviewSpec");

static const struct pb_field pb_authentication_v1_TokenReviewStatus_fields[] = {
    {1, "authenticated", PB_BOOL, PB_SINGLE, 0, NULL},
    {2, "user", PB_MESSAGE, PB_SINGLE, 0, &pb_authentication_v1_UserInfo},
    {3, "error", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "audiences", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authentication_v1_TokenReviewStatus, "authentication.v1.TokenReviewStatus");

static const struct pb_field pb_authentication_v1_TokenReview_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_authentication_v1_TokenReviewSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_authentication_v1_TokenReviewStatus},
};
PB_MESSAGE_DEFINE(pb_authentication_v1_TokenReview, "authentication.v1.TokenReview");

static const struct pb_field pb_meta_v1_FieldSelectorRequirement_fields[] = {
    {1, "key", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "operator", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "values", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_meta_v1_FieldSelectorRequirement, "meta.v1.FieldSelectorRequirement");

static const struct pb_field pb_authorization_v1_FieldSelectorAttributes_fields[] = {
    {1, "rawSelector", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "requirements", PB_MESSAGE, PB_REPEATED, 0, &pb_meta_v1_FieldSelectorRequirement},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_FieldSelectorAttributes,
		  "authorization.v1.FieldSelectorAttributes");

static const struct pb_field pb_authorization_v1_LabelSelectorAttributes_fields[] = {
    {1, "rawSelector", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "requirements", PB_MESSAGE, PB_REPEATED, 0, &pb_meta_v1_LabelSelectorRequirement},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_LabelSelectorAttributes,
		  "authorization.v1.LabelSelectorAttributes");

static const struct pb_field pb_authorization_v1_ResourceAttributes_fields[] = {
    {1, "namespace", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "verb", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "group", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "version", PB_STRING, PB_SINGLE, 0, NULL},
    {5, "resource", PB_STRING, PB_SINGLE, 0, NULL},
    {6, "subresource", PB_STRING, PB_SINGLE, 0, NULL},
    {7, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {8, "fieldSelector", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_authorization_v1_FieldSelectorAttributes},
    {9, "labelSelector", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_authorization_v1_LabelSelectorAttributes},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_ResourceAttributes, "authorization.v1.ResourceAttributes");

static const struct pb_field pb_authorization_v1_NonResourceAttributes_fields[] = {
    {1, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "verb", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_NonResourceAttributes,
		  "authorization.v1.NonResourceAttributes");

static const struct pb_field pb_authorization_v1_SelfSubjectAccessReviewSpec_fields[] = {
    {1, "resourceAttributes", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_authorization_v1_ResourceAttributes},
    {2, "nonResourceAttributes", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_authorization_v1_NonResourceAttributes},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_SelfSubjectAccessReviewSpec,
		  "authorization.v1.SelfSubjectAccessReviewSpec");

static const struct pb_field pb_authorization_v1_SubjectAccessReviewStatus_fields[] = {
    {1, "allowed", PB_BOOL, PB_SINGLE, 0, NULL},
    {2, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "evaluationError", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "denied", PB_BOOL, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_SubjectAccessReviewStatus,
		  "authorization.v1.SubjectAccessReviewStatus");

static const struct pb_field pb_authorization_v1_SelfSubjectAccessReview_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_authorization_v1_SelfSubjectAccessReviewSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_authorization_v1_SubjectAccessReviewStatus},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_SelfSubjectAccessReview,
		  "authorization.v1.SelfSubjectAccessReview");

static const struct pb_field pb_authorization_v1_SelfSubjectRulesReviewSpec_fields[] = {
    {1, "namespace", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_SelfSubjectRulesReviewSpec,
		  "authorization.v1.SelfSubjectRulesReviewSpec");

static const struct pb_field pb_authorization_v1_ResourceRule_fields[] = {
    {1, "verbs", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "apiGroups", PB_STRING, PB_REPEATED, 0, NULL},
    {3, "resources", PB_STRING, PB_REPEATED, 0, NULL},
    {4, "resourceNames", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_ResourceRule, "authorization.v1.ResourceRule");

static const struct pb_field pb_authorization_v1_NonResourceRule_fields[] = {
    {1, "verbs", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "nonResourceURLs", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_NonResourceRule, "authorization.v1.NonResourceRule");

static const struct pb_field pb_authorization_v1_SubjectRulesReviewStatus_fields[] = {
    {1, "resourceRules", PB_MESSAGE, PB_REPEATED, 0, &pb_authorization_v1_ResourceRule},
    {2, "nonResourceRules", PB_MESSAGE, PB_REPEATED, 0, &pb_authorization_v1_NonResourceRule},
    {3, "incomplete", PB_BOOL, PB_SINGLE, 0, NULL},
    {4, "evaluationError", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_SubjectRulesReviewStatus,
		  "authorization.v1.SubjectRulesReviewStatus");

static const struct pb_field pb_authorization_v1_SelfSubjectRulesReview_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_authorization_v1_SelfSubjectRulesReviewSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_authorization_v1_SubjectRulesReviewStatus},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_SelfSubjectRulesReview,
		  "authorization.v1.SelfSubjectRulesReview");

static const struct pb_field pb_authorization_v1_SubjectAccessReviewSpec_fields[] = {
    {1, "resourceAttributes", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_authorization_v1_ResourceAttributes},
    {2, "nonResourceAttributes", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_authorization_v1_NonResourceAttributes},
    {3, "user", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "groups", PB_STRING, PB_REPEATED, 0, NULL},
    {5, "extra", PB_STRINGLIST, PB_MAP, 0, NULL},
    {6, "uid", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_SubjectAccessReviewSpec,
		  "authorization.v1.SubjectAccessReviewSpec");

static const struct pb_field pb_authorization_v1_SubjectAccessReview_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_authorization_v1_SubjectAccessReviewSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_authorization_v1_SubjectAccessReviewStatus},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_SubjectAccessReview, "authorization.v1.SubjectAccessReview");

static const struct pb_field pb_authorization_v1_LocalSubjectAccessReview_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_authorization_v1_SubjectAccessReviewSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_authorization_v1_SubjectAccessReviewStatus},
};
PB_MESSAGE_DEFINE(pb_authorization_v1_LocalSubjectAccessReview,
		  "authorization.v1.LocalSubjectAccessReview");

static const struct pb_field pb_rbac_v1_PolicyRule_fields[] = {
    {1, "verbs", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "apiGroups", PB_STRING, PB_REPEATED, 0, NULL},
    {3, "resources", PB_STRING, PB_REPEATED, 0, NULL},
    {4, "resourceNames", PB_STRING, PB_REPEATED, 0, NULL},
    {5, "nonResourceURLs", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_rbac_v1_PolicyRule, "rbac.v1.PolicyRule");

static const struct pb_field pb_rbac_v1_Role_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "rules", PB_MESSAGE, PB_REPEATED, 0, &pb_rbac_v1_PolicyRule},
};
PB_MESSAGE_DEFINE(pb_rbac_v1_Role, "rbac.v1.Role");

static const struct pb_field pb_rbac_v1_AggregationRule_fields[] = {
    {1, "clusterRoleSelectors", PB_MESSAGE, PB_REPEATED, 0, &pb_meta_v1_LabelSelector},
};
PB_MESSAGE_DEFINE(pb_rbac_v1_AggregationRule, "rbac.v1.AggregationRule");

static const struct pb_field pb_rbac_v1_ClusterRole_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "rules", PB_MESSAGE, PB_REPEATED, 0, &pb_rbac_v1_PolicyRule},
    {3, "aggregationRule", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_rbac_v1_AggregationRule},
};
PB_MESSAGE_DEFINE(pb_rbac_v1_ClusterRole, "rbac.v1.ClusterRole");

static const struct pb_field pb_rbac_v1_Subject_fields[] = {
    {1, "kind", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "apiGroup", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "namespace", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_rbac_v1_Subject, "rbac.v1.Subject");

static const struct pb_field pb_rbac_v1_RoleRef_fields[] = {
    {1, "apiGroup", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "kind", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "name", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_rbac_v1_RoleRef, "rbac.v1.RoleRef");

static const struct pb_field pb_rbac_v1_RoleBinding_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "subjects", PB_MESSAGE, PB_REPEATED, 0, &pb_rbac_v1_Subject},
    {3, "roleRef", PB_MESSAGE, PB_SINGLE, 0, &pb_rbac_v1_RoleRef},
};
PB_MESSAGE_DEFINE(pb_rbac_v1_RoleBinding, "rbac.v1.RoleBinding");

static const struct pb_field pb_rbac_v1_ClusterRoleBinding_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "subjects", PB_MESSAGE, PB_REPEATED, 0, &pb_rbac_v1_Subject},
    {3, "roleRef", PB_MESSAGE, PB_SINGLE, 0, &pb_rbac_v1_RoleRef},
};
PB_MESSAGE_DEFINE(pb_rbac_v1_ClusterRoleBinding, "rbac.v1.ClusterRoleBinding");

static const struct pb_field pb_networking_v1_ServiceBackendPort_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "number", PB_INT32, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_networking_v1_ServiceBackendPort, "networking.v1.ServiceBackendPort");

static const struct pb_field pb_networking_v1_IngressServiceBackend_fields[] = {
    {1, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "port", PB_MESSAGE, PB_SINGLE, 0, &pb_networking_v1_ServiceBackendPort},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressServiceBackend, "networking.v1.IngressServiceBackend");

static const struct pb_field pb_networking_v1_IngressBackend_fields[] = {
    {3, "resource", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_core_v1_TypedLocalObjectReference},
    {4, "service", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_networking_v1_IngressServiceBackend},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressBackend, "networking.v1.IngressBackend");

static const struct pb_field pb_networking_v1_IngressTLS_fields[] = {
    {1, "hosts", PB_STRING, PB_REPEATED, 0, NULL},
    {2, "secretName", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressTLS, "networking.v1.IngressTLS");

static const struct pb_field pb_networking_v1_HTTPIngressPath_fields[] = {
    {1, "path", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "backend", PB_MESSAGE, PB_SINGLE, 0, &pb_networking_v1_IngressBackend},
    {3, "pathType", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_networking_v1_HTTPIngressPath, "networking.v1.HTTPIngressPath");

static const struct pb_field pb_networking_v1_HTTPIngressRuleValue_fields[] = {
    {1, "paths", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_HTTPIngressPath},
};
PB_MESSAGE_DEFINE(pb_networking_v1_HTTPIngressRuleValue, "networking.v1.HTTPIngressRuleValue");

static const struct pb_field pb_networking_v1_IngressRuleValue_fields[] = {
    {1, "http", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_networking_v1_HTTPIngressRuleValue},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressRuleValue, "networking.v1.IngressRuleValue");

static const struct pb_field pb_networking_v1_IngressRule_fields[] = {
    {1, "host", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "ingressRuleValue", PB_MESSAGE, PB_SINGLE, PB_INLINE, &pb_networking_v1_IngressRuleValue},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressRule, "networking.v1.IngressRule");

static const struct pb_field pb_networking_v1_IngressSpec_fields[] = {
    {1, "defaultBackend", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_networking_v1_IngressBackend},
    {2, "tls", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_IngressTLS},
    {3, "rules", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_IngressRule},
    {4, "ingressClassName", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressSpec, "networking.v1.IngressSpec");

static const struct pb_field pb_networking_v1_IngressPortStatus_fields[] = {
    {1, "port", PB_INT32, PB_SINGLE, 0, NULL},
    {2, "protocol", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "error", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressPortStatus, "networking.v1.IngressPortStatus");

static const struct pb_field pb_networking_v1_IngressLoadBalancerIngress_fields[] = {
    {1, "ip", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "hostname", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "ports", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_IngressPortStatus},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressLoadBalancerIngress,
		  "networking.v1.IngressLoadBalancerIngress");

static const struct pb_field pb_networking_v1_IngressLoadBalancerStatus_fields[] = {
    {1, "ingress", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_IngressLoadBalancerIngress},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressLoadBalancerStatus,
		  "networking.v1.IngressLoadBalancerStatus");

static const struct pb_field pb_networking_v1_IngressStatus_fields[] = {
    {1, "loadBalancer", PB_MESSAGE, PB_SINGLE, 0, &pb_networking_v1_IngressLoadBalancerStatus},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressStatus, "networking.v1.IngressStatus");

static const struct pb_field pb_networking_v1_Ingress_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_networking_v1_IngressSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_networking_v1_IngressStatus},
};
PB_MESSAGE_DEFINE(pb_networking_v1_Ingress, "networking.v1.Ingress");

static const struct pb_field pb_networking_v1_IngressClassParametersReference_fields[] = {
    {1, "apiGroup", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "kind", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "name", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "scope", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {5, "namespace", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressClassParametersReference,
		  "networking.v1.IngressClassParametersReference");

static const struct pb_field pb_networking_v1_IngressClassSpec_fields[] = {
    {1, "controller", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "parameters", PB_MESSAGE, PB_SINGLE, PB_KEEP,
     &pb_networking_v1_IngressClassParametersReference},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressClassSpec, "networking.v1.IngressClassSpec");

static const struct pb_field pb_networking_v1_IngressClass_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_networking_v1_IngressClassSpec},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IngressClass, "networking.v1.IngressClass");

static const struct pb_field pb_networking_v1_NetworkPolicyPort_fields[] = {
    {1, "protocol", PB_STRING, PB_SINGLE, PB_KEEP, NULL},
    {2, "port", PB_INTORSTRING, PB_SINGLE, PB_KEEP, NULL},
    {3, "endPort", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_networking_v1_NetworkPolicyPort, "networking.v1.NetworkPolicyPort");

static const struct pb_field pb_networking_v1_IPBlock_fields[] = {
    {1, "cidr", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "except", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_networking_v1_IPBlock, "networking.v1.IPBlock");

static const struct pb_field pb_networking_v1_NetworkPolicyPeer_fields[] = {
    {1, "podSelector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {2, "namespaceSelector", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_meta_v1_LabelSelector},
    {3, "ipBlock", PB_MESSAGE, PB_SINGLE, PB_KEEP, &pb_networking_v1_IPBlock},
};
PB_MESSAGE_DEFINE(pb_networking_v1_NetworkPolicyPeer, "networking.v1.NetworkPolicyPeer");

static const struct pb_field pb_networking_v1_NetworkPolicyIngressRule_fields[] = {
    {1, "ports", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_NetworkPolicyPort},
    {2, "from", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_NetworkPolicyPeer},
};
PB_MESSAGE_DEFINE(pb_networking_v1_NetworkPolicyIngressRule,
		  "networking.v1.NetworkPolicyIngressRule");

static const struct pb_field pb_networking_v1_NetworkPolicyEgressRule_fields[] = {
    {1, "ports", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_NetworkPolicyPort},
    {2, "to", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_NetworkPolicyPeer},
};
PB_MESSAGE_DEFINE(pb_networking_v1_NetworkPolicyEgressRule,
		  "networking.v1.NetworkPolicyEgressRule");

static const struct pb_field pb_networking_v1_NetworkPolicySpec_fields[] = {
    {1, "podSelector", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_LabelSelector},
    {2, "ingress", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_NetworkPolicyIngressRule},
    {3, "egress", PB_MESSAGE, PB_REPEATED, 0, &pb_networking_v1_NetworkPolicyEgressRule},
    {4, "policyTypes", PB_STRING, PB_REPEATED, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_networking_v1_NetworkPolicySpec, "networking.v1.NetworkPolicySpec");

static const struct pb_field pb_networking_v1_NetworkPolicy_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_networking_v1_NetworkPolicySpec},
};
PB_MESSAGE_DEFINE(pb_networking_v1_NetworkPolicy, "networking.v1.NetworkPolicy");

static const struct pb_field pb_certificates_v1_CertificateSigningRequestSpec_fields[] = {
    {1, "request", PB_BYTES, PB_SINGLE, PB_KEEP, NULL},
    {2, "username", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "uid", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "groups", PB_STRING, PB_REPEATED, 0, NULL},
    {5, "usages", PB_STRING, PB_REPEATED, 0, NULL},
    {6, "extra", PB_STRINGLIST, PB_MAP, 0, NULL},
    {7, "signerName", PB_STRING, PB_SINGLE, 0, NULL},
    {8, "expirationSeconds", PB_INT32, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_certificates_v1_CertificateSigningRequestSpec,
		  "certificates.v1.CertificateSigningRequestSpec");

static const struct pb_field pb_certificates_v1_CertificateSigningRequestCondition_fields[] = {
    {1, "type", PB_STRING, PB_SINGLE, 0, NULL},
    {2, "reason", PB_STRING, PB_SINGLE, 0, NULL},
    {3, "message", PB_STRING, PB_SINGLE, 0, NULL},
    {4, "lastUpdateTime", PB_TIME, PB_SINGLE, 0, NULL},
    {5, "lastTransitionTime", PB_TIME, PB_SINGLE, 0, NULL},
    {6, "status", PB_STRING, PB_SINGLE, 0, NULL},
};
PB_MESSAGE_DEFINE(pb_certificates_v1_CertificateSigningRequestCondition,
		  "certificates.v1.CertificateSigningRequestCondition");

static const struct pb_field pb_certificates_v1_CertificateSigningRequestStatus_fields[] = {
    {1, "conditions", PB_MESSAGE, PB_REPEATED, 0,
     &pb_certificates_v1_CertificateSigningRequestCondition},
    {2, "certificate", PB_BYTES, PB_SINGLE, PB_KEEP, NULL},
};
PB_MESSAGE_DEFINE(pb_certificates_v1_CertificateSigningRequestStatus,
		  "certificates.v1.CertificateSigningRequestStatus");

static const struct pb_field pb_certificates_v1_CertificateSigningRequest_fields[] = {
    {1, "metadata", PB_MESSAGE, PB_SINGLE, 0, &pb_meta_v1_ObjectMeta},
    {2, "spec", PB_MESSAGE, PB_SINGLE, 0, &pb_certificates_v1_CertificateSigningRequestSpec},
    {3, "status", PB_MESSAGE, PB_SINGLE, 0, &pb_certificates_v1_CertificateSigningRequestStatus},
};
PB_MESSAGE_DEFINE(pb_certificates_v1_CertificateSigningRequest,
		  "certificates.v1.CertificateSigningRequest");

/* Kinds a request body may carry; group NULL matches any group (DeleteOptions). */
static const struct pb_kind pb_schema_kinds[] = {
    {"", "v1", "Namespace", &pb_core_v1_Namespace},
    {"", "v1", "Pod", &pb_core_v1_Pod},
    {"", "v1", "Node", &pb_core_v1_Node},
    {"", "v1", "Service", &pb_core_v1_Service},
    {"", "v1", "Endpoints", &pb_core_v1_Endpoints},
    {"", "v1", "ConfigMap", &pb_core_v1_ConfigMap},
    {"", "v1", "Secret", &pb_core_v1_Secret},
    {"", "v1", "ServiceAccount", &pb_core_v1_ServiceAccount},
    {"", "v1", "Event", &pb_core_v1_Event},
    {"", "v1", "PersistentVolume", &pb_core_v1_PersistentVolume},
    {"", "v1", "PersistentVolumeClaim", &pb_core_v1_PersistentVolumeClaim},
    {"", "v1", "Binding", &pb_core_v1_Binding},
    {"", "v1", "ResourceQuota", &pb_core_v1_ResourceQuota},
    {"", "v1", "LimitRange", &pb_core_v1_LimitRange},
    {"", "v1", "PodTemplate", &pb_core_v1_PodTemplate},
    {"", "v1", "ReplicationController", &pb_core_v1_ReplicationController},
    {"apps", "v1", "Deployment", &pb_apps_v1_Deployment},
    {"apps", "v1", "ReplicaSet", &pb_apps_v1_ReplicaSet},
    {"apps", "v1", "DaemonSet", &pb_apps_v1_DaemonSet},
    {"apps", "v1", "StatefulSet", &pb_apps_v1_StatefulSet},
    {"apps", "v1", "ControllerRevision", &pb_apps_v1_ControllerRevision},
    {"batch", "v1", "Job", &pb_batch_v1_Job},
    {"batch", "v1", "CronJob", &pb_batch_v1_CronJob},
    {"coordination.k8s.io", "v1", "Lease", &pb_coordination_v1_Lease},
    {"scheduling.k8s.io", "v1", "PriorityClass", &pb_scheduling_v1_PriorityClass},
    {"discovery.k8s.io", "v1", "EndpointSlice", &pb_discovery_v1_EndpointSlice},
    {"events.k8s.io", "v1", "Event", &pb_events_v1_Event},
    {"policy", "v1", "PodDisruptionBudget", &pb_policy_v1_PodDisruptionBudget},
    {"policy", "v1", "Eviction", &pb_policy_v1_Eviction},
    {"autoscaling", "v1", "Scale", &pb_autoscaling_v1_Scale},
    {"autoscaling", "v1", "HorizontalPodAutoscaler", &pb_autoscaling_v1_HorizontalPodAutoscaler},
    {"authentication.k8s.io", "v1", "TokenRequest", &pb_authentication_v1_TokenRequest},
    {"authentication.k8s.io", "v1", "SelfSubjectReview", &pb_authentication_v1_SelfSubjectReview},
    {"authentication.k8s.io", "v1", "TokenReview", &pb_authentication_v1_TokenReview},
    {"authorization.k8s.io", "v1", "SelfSubjectAccessReview",
     &pb_authorization_v1_SelfSubjectAccessReview},
    {"authorization.k8s.io", "v1", "SelfSubjectRulesReview",
     &pb_authorization_v1_SelfSubjectRulesReview},
    {"authorization.k8s.io", "v1", "SubjectAccessReview", &pb_authorization_v1_SubjectAccessReview},
    {"authorization.k8s.io", "v1", "LocalSubjectAccessReview",
     &pb_authorization_v1_LocalSubjectAccessReview},
    {"rbac.authorization.k8s.io", "v1", "Role", &pb_rbac_v1_Role},
    {"rbac.authorization.k8s.io", "v1", "ClusterRole", &pb_rbac_v1_ClusterRole},
    {"rbac.authorization.k8s.io", "v1", "RoleBinding", &pb_rbac_v1_RoleBinding},
    {"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", &pb_rbac_v1_ClusterRoleBinding},
    {"networking.k8s.io", "v1", "Ingress", &pb_networking_v1_Ingress},
    {"networking.k8s.io", "v1", "IngressClass", &pb_networking_v1_IngressClass},
    {"networking.k8s.io", "v1", "NetworkPolicy", &pb_networking_v1_NetworkPolicy},
    {"certificates.k8s.io", "v1", "CertificateSigningRequest",
     &pb_certificates_v1_CertificateSigningRequest},
    {NULL, NULL, "DeleteOptions", &pb_meta_v1_DeleteOptions},
};

/* Splits "apps/v1" into group "apps" and version "v1" ("v1" is the core group). */
static void pb_api_version_split(const char *api_version, const char **group, size_t *glen,
				 const char **version)
{
	const char *slash = strchr(api_version, '/');
	if (!slash) {
		*group = "";
		*glen = 0;
		*version = api_version;
		return;
	}
	*group = api_version;
	*glen = (size_t)(slash - api_version);
	*version = slash + 1;
}

static int pb_kind_matches(const struct pb_kind *k, const char *group, size_t glen,
			   const char *version, const char *kind)
{
	if (strcmp(k->kind, kind) != 0)
		return 0;
	if (!k->group)
		return 1;
	return strlen(k->group) == glen && strncmp(k->group, group, glen) == 0 &&
	       strcmp(k->version, version) == 0;
}

const struct pb_message *pb_schema_find(const char *api_version, const char *kind)
{
	const char *group, *version;
	size_t glen;
	if (!api_version || !kind)
		return NULL;
	pb_api_version_split(api_version, &group, &glen, &version);
	for (size_t i = 0; i < sizeof pb_schema_kinds / sizeof pb_schema_kinds[0]; i++) {
		if (pb_kind_matches(&pb_schema_kinds[i], group, glen, version, kind))
			return pb_schema_kinds[i].msg;
	}
	return NULL;
}

const struct pb_field *pb_message_field_find(const struct pb_message *m, const char *json_name)
{
	for (size_t i = 0; m && i < m->nfields; i++) {
		const struct pb_field *f = &m->fields[i];
		if (f->flags & PB_INLINE) {
			const struct pb_field *in = pb_message_field_find(f->msg, json_name);
			if (in)
				return in;
		} else if (strcmp(f->name, json_name) == 0) {
			return f;
		}
	}
	return NULL;
}
